// `npm start` on a fresh machine: no configuration, no accounts. It creates the embedded
// database under data/, migrates it, generates a secret, listens and answers /healthz.
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { packageRoot } from "../../src/runtime-node/paths.js";
import { runCli, startServe } from "../support/cli.js";
import { tempDir } from "../support/temp-db.js";

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

describe("placevoice, bundled and from source", () => {
  it("the bundle npm install builds (dist/node/cli.mjs) and the TypeScript sources behave the same", async () => {
    // Rebuilt here so it is newer than every source file, as after `npm install`.
    expect(spawnSync(process.execPath, [path.join(packageRoot, "scripts", "build-node.mjs")]).status).toBe(0);
    expect(statSync(path.join(packageRoot, "dist", "node", "cli.mjs")).size).toBeGreaterThan(100_000);
    const [bundled, source] = await Promise.all([
      runCli(["help"]),
      runCli(["help"], { env: { PLACEVOICE_FROM_SOURCE: "1" } }),
    ]);
    expect(bundled.code).toBe(0);
    expect(bundled.stdout).toContain("placevoice serve");
    expect(source).toEqual(bundled);
  });
});

describe("placevoice serve", () => {
  it("starts with no configuration, creates data/, and /healthz answers 200", async () => {
    const t = tempDir();
    const server = await startServe(
      { PORT: "0", LOG_LEVEL: "info", APP_SECRET: "", DATABASE_URL: "", FLOWS_DIR: "" },
      t.dir,
    );
    stops.push(() => {
      server.child.kill("SIGTERM");
      t.cleanup();
    });
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", database: "ok" });

    expect(existsSync(path.join(t.dir, "data", "placevoice.db"))).toBe(true);
    const secret = path.join(t.dir, "data", "app-secret");
    expect(statSync(secret).mode & 0o777).toBe(0o600);
    const logs = server.logs();
    expect(logs).toMatch(/INFO  database migrated applied=\d{14}_init/);
    expect(logs).toContain("APP_SECRET not set: generated one");
    expect(logs).toContain("channel telegram disabled");
    expect(logs).toContain("channel sms disabled");
    expect(logs).not.toMatch(/\bERROR\b/);

    const missing = await fetch(`${server.url}/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: "not_found" });
  });

  it("stops cleanly on SIGTERM", async () => {
    const t = tempDir();
    const server = await startServe(
      { PORT: "0", DATABASE_URL: `file:${path.join(t.dir, "x.db")}`, APP_SECRET: "s".repeat(40) },
      t.dir,
    );
    const exited = new Promise<number | null>((resolve) => server.child.on("exit", resolve));
    server.child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(server.logs()).toContain("shutting down signal=SIGTERM");
    t.cleanup();
  });
});
