// The dashboard in a real browser (Chromium from npm through playwright-core): sign in with a
// partner token, filter by area, see the chart, download CSV, and see a suppressed cell shown
// as "fewer than 10". A screenshot is kept in test-results/.
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";
import { startServer, type RunningServer } from "../../src/node.js";
import { packageRoot } from "../../src/runtime-node/paths.js";
import { launchChromium } from "../support/browser.js";
import { HARNESS_RECORD_KEY, published } from "../support/channel-harness.js";
import { testClock } from "../support/clock.js";
import { tempDir } from "../support/temp-db.js";

const t = tempDir();
let server: RunningServer;
let browser: Browser;
let token: string;

beforeAll(async () => {
  const config = loadConfig({
    DATABASE_URL: `file:${path.join(t.dir, "dash.db")}`,
    APP_SECRET: "dashboard-browser-secret-0123456789abcdef",
    PORT: "0",
    HOST: "127.0.0.1",
  });
  server = await startServer(config, silentLogger, { now: testClock().now, recordKey: () => HARNESS_RECORD_KEY });
  const { conversation, partners } = server.services;
  let n = 0;
  const resident = async (postcode: string, picks: string) => {
    const address = `+4477009${String(++n).padStart(5, "0")}`;
    for (const text of ["hi", "english", "yes", postcode, picks, "skip", "skip", "no"])
      await conversation.handle({ channel: "sms", address, input: { type: "text", text } });
  };
  for (let i = 0; i < 14; i++) await resident("ST6 1AA", i < 4 ? "housing, safety" : "housing, transport");
  for (let i = 0; i < 11; i++) await resident("ST3 4HS", "jobs");
  token = (await partners.create("Stoke-on-Trent City Council", ["ST3", "ST6"])).token;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  t.cleanup();
});

describe("dashboard in Chromium", () => {
  it("signs in, filters by area, shows the chart, downloads CSV and shows suppression honestly", async () => {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 420, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(8000);
    await page.goto(`${server.url}/dashboard`);
    await page.getByLabel("Partner token").fill("pv_wrong-token-wrong-token-wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("That token is not valid.");

    await page.getByLabel("Partner token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Insight for Stoke-on-Trent City Council" }).waitFor();
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === "pv_session")).toMatchObject({ httpOnly: true, sameSite: "Strict" });

    await page.getByLabel("Area").selectOption("ST6");
    await page.getByRole("button", { name: "Show" }).click();
    await page.getByRole("heading", { name: "Priorities in ST6" }).waitFor();
    expect(page.url()).toContain("area=ST6");
    // It says which days the figures cover, and that small numbers are withheld and others adjusted.
    expect(await page.getByTestId("period").textContent()).toBe("Answers from 5 Jan 2026 (all time).");
    expect(await page.getByTestId("disclosure-note").textContent()).toContain("the others are slightly adjusted");
    expect(await page.getByTestId("respondents").textContent()).toBe(String(published(14)));
    // The chart is there, named for screen readers.
    expect(await page.locator('svg[role="img"] title').first().textContent()).toBe(
      "Residents per priority in ST6 Burslem",
    );
    // Housing (14) is shown; safety (4) is not, and says so.
    const table = page.getByTestId("themes-table");
    expect(await table.getByRole("row", { name: /Housing/ }).textContent()).toContain(String(published(14)));
    expect(await table.getByRole("row", { name: /Feeling safe/ }).textContent()).toContain("fewer than 10");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: /Download these figures/ }).click(),
    ]);
    const csv = readFileSync((await download.path())!, "utf8");
    expect(download.suggestedFilename()).toMatch(/^priorities_ST6_\d{4}-\d\d-\d\d_to_\d{4}-\d\d-\d\d\.csv$/);
    expect(csv.split("\r\n")[0]).toBe(
      "area,area_name,period_from,period_to,question,respondents,theme,label,residents,share_percent,generated_at,note",
    );
    expect(csv).toContain(`,housing,Housing,${published(14)},100,`);
    expect(csv).toContain(",safety,Feeling safe,fewer than 10,,");

    mkdirSync(path.join(packageRoot, "test-results"), { recursive: true });
    await page.screenshot({ path: path.join(packageRoot, "test-results", "dashboard.png"), fullPage: true });

    // Keyboard: the filter controls follow each other in order.
    await page.locator("#area").focus();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("period");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Partner token").waitFor();
    await context.close();
  }, 60_000);
});
