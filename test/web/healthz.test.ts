// /healthz through app.request(), against the real SQLite store.
import { writeFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testClock } from "../support/clock.js";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";
import { openNodeServices, type NodeServices } from "../../src/runtime-node/services.js";
import { createApp } from "../../src/web/app.js";
import { tempDir } from "../support/temp-db.js";

const t = tempDir();
let services: NodeServices;

beforeAll(async () => {
  services = await openNodeServices(
    loadConfig({ DATABASE_URL: `file:${path.join(t.dir, "h.db")}`, APP_SECRET: "x".repeat(40) }),
    { log: silentLogger, now: testClock().now },
  );
});
afterAll(async () => {
  await services.close();
  t.cleanup();
});

describe("GET /healthz", () => {
  it("answers 200 while the database works, and 503 once it does not", async () => {
    const app = createApp(services.appDeps);
    const ok = await app.request("/healthz");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: "ok", database: "ok" });

    // Destroy the database file under the running app.
    const file = path.join(t.dir, "h.db");
    for (const suffix of ["-wal", "-shm"]) rmSync(file + suffix, { force: true });
    writeFileSync(file, "this is not a database".repeat(500));
    const down = await app.request("/healthz");
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: "unavailable", database: "unreachable" });
  });
});
