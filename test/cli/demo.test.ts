// `placevoice demo` builds a separate database through the real engine and store, with its own
// clock, and leaves something worth looking at: eight weeks of trend, several areas, quotes with
// personal details removed, a champion who brought people in, and tokens to sign in with.
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";
import { openNodeServices, type NodeServices } from "../../src/runtime-node/services.js";
import { createApp } from "../../src/web/app.js";
import { isoWeek } from "../../src/store/week.js";
import { testClock } from "../support/clock.js";
import { runCliInProcess, type CliResult } from "../support/cli.js";
import { tempDir } from "../support/temp-db.js";

const t = tempDir();
const demoFile = path.join(t.dir, "demo", "placevoice.db");
const realFile = path.join(t.dir, "real.db");
const env = { DATABASE_URL: `file:${realFile}`, APP_SECRET: "demo-test-app-secret-0123456789abcdef" };
// Thursday 3 December 2026, as the operator runs it.
const now = testClock("2026-12-03T12:00:00Z").now;
let result: CliResult;
let services: NodeServices;

beforeAll(async () => {
  result = await runCliInProcess(["demo", "--database", demoFile], { env, now });
  services = await openNodeServices(loadConfig({ ...env, DATABASE_URL: `file:${demoFile}` }), {
    log: silentLogger,
    now,
  });
}, 60_000);
afterAll(async () => {
  await services?.close();
  t.cleanup();
});

const tokenOf = (label: string) => new RegExp(`${label}[^:]*:\\s+(pv_[\\w-]+)`).exec(result.stdout)?.[1];

describe("placevoice demo", () => {
  it("says where the demo is, how to start the server on it and how to sign in", () => {
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("320 synthetic residents");
    expect(result.stdout).toContain("over 8 weeks from 2026-10-05");
    expect(result.stdout).toContain(`DATABASE_URL=file:${demoFile} npm start`);
    expect(tokenOf("partner")).toBeDefined();
    expect(tokenOf("operator")).toBeDefined();
    expect(result.stdout).toMatch(/\/champions\/[A-Z0-9]{6}\?key=/);
    // Never the configured database.
    expect(existsSync(realFile)).toBe(false);
  });

  it("stored every resident through the real path: contacts, answers and running totals", async () => {
    expect(await services.prisma.contact.count()).toBe(320);
    const channels = await services.prisma.contact.groupBy({ by: ["channel"], _count: true });
    expect(channels.map((c) => c.channel).sort()).toEqual(["sms", "telegram"]);
    expect(await services.prisma.contact.count({ where: { language: "cy" } })).toBeGreaterThan(10);
    expect(await services.prisma.contact.count({ where: { attribution: { not: null } } })).toBeGreaterThan(10);
    // Replies to synthetic residents were never queued for sending.
    expect(await services.prisma.outboxMessage.count()).toBe(0);
  });

  it("gives the dashboard's partner eight weeks of trend, several areas and quotes with personal details removed", async () => {
    const app = createApp(services.appDeps);
    const get = async (url: string) =>
      (await app.request(url, { headers: { Authorization: `Bearer ${tokenOf("partner")}` } })).json();
    const trend = (await get("/api/v1/insights/trend?theme=transport")) as { points: { count: number | null }[] };
    // Eight weeks are two or three four-week blocks, each published.
    expect(trend.points.filter((p) => p.count !== null).length).toBeGreaterThanOrEqual(2);
    // Residents arrived in each of the eight weeks, by the demo's clock.
    const weeks = new Set(
      (await services.prisma.contact.findMany({ select: { createdAt: true } })).map((c) => isoWeek(c.createdAt)),
    );
    expect([...weeks].sort()).toEqual([
      "2026-W41",
      "2026-W42",
      "2026-W43",
      "2026-W44",
      "2026-W45",
      "2026-W46",
      "2026-W47",
      "2026-W48",
    ]);
    let areasWithFigures = 0;
    for (const area of ["ST1", "ST2", "ST3", "ST4", "ST6", "ST8"]) {
      const table = (await get(`/api/v1/insights/priorities?area=${area}`)) as {
        respondents: { count: number | null };
      };
      if ((table.respondents.count ?? 0) >= 10) areasWithFigures++;
    }
    expect(areasWithFigures).toBeGreaterThanOrEqual(4);
    const quotes = (await get("/api/v1/insights/quotes?theme=transport")) as { quotes: { text: string }[] };
    expect(quotes.quotes.length).toBeGreaterThanOrEqual(5);
    const all = JSON.stringify(
      await Promise.all(
        ["transport", "cost_of_living", "care_support", "environment", "housing"].map((theme) =>
          get(`/api/v1/insights/quotes?theme=${theme}`),
        ),
      ),
    );
    // Redacted as stored: the placeholders are there, the details are not.
    expect(all).toContain("[email]");
    for (const detail of ["Sarah Jones", "07700 900461", "dave.smith@example.com"]) expect(all).not.toContain(detail);
  });

  it("refuses to overwrite a demo without --fresh, and to take the configured database's place", async () => {
    const again = await runCliInProcess(["demo", "--database", demoFile], { env, now });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("Add --fresh");
    const configured = await runCliInProcess(["demo"], {
      env: { ...env, DATABASE_URL: "file:data/demo/placevoice.db" },
      now,
    });
    expect(configured.code).toBe(2);
    expect(configured.stderr).toContain("DATABASE_URL points at");
    const bad = await runCliInProcess(["demo", "--residents", "lots"], { env, now });
    expect(bad.code).toBe(2);
  });
});
