// The front door, the favicon, robots.txt, and what a browser sees for a page that does not
// exist: through app.request() as a browser sends it, with both channels on and with none.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";
import { openNodeServices, type NodeServices } from "../../src/runtime-node/services.js";
import { createApp } from "../../src/web/app.js";
import { startHarness, type Harness } from "../support/channel-harness.js";
import { testClock } from "../support/clock.js";
import { tempDir } from "../support/temp-db.js";

const BROWSER = { Accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ ORGANISATION_NAME: "Stoke-on-Trent City Council" });
});
afterAll(async () => {
  await h.close();
});

/** What a person reads: tags gone, entities decoded, spaces collapsed. */
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");

describe("GET /", () => {
  it("says what this is, who runs it, how to take part on each channel that is on, and where the rest is", async () => {
    const res = await h.app.request("/", { headers: BROWSER });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("text/html");
    const html = await res.text();
    expect(html).toContain('<html lang="en">');
    expect(text(html)).toContain("Tell us what matters where you live");
    expect(text(html)).toContain("Stoke-on-Trent City Council runs this short chat");
    expect(html).toContain('href="https://t.me/placevoice_test_bot"');
    expect(text(html)).toContain("text HELLO to 07700 900000");
    expect(html).toContain('href="sms:+447700900000"');
    for (const link of ['href="/privacy"', 'href="/dashboard"', 'href="/api/v1/openapi.json"', 'href="/?lang=cy"'])
      expect(html).toContain(link);
    // A strict CSP and the other browser headers, as on every page.
    expect(res.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
  });

  it("in Welsh", async () => {
    const html = await (await h.app.request("/?lang=cy", { headers: BROWSER })).text();
    expect(html).toContain('<html lang="cy">');
    expect(text(html)).toContain("Dywedwch wrthon ni beth sy'n bwysig lle rydych chi'n byw");
    expect(text(html)).toContain("anfonwch HELO at 07700 900000");
    expect(html).toContain('href="/privacy?lang=cy"');
  });

  it("what it tells residents to send does start the conversation, in either language", async () => {
    for (const [address, word] of [
      ["+447700900501", "HELLO"],
      ["+447700900502", "HELO"],
    ] as const) {
      const outcome = await h.services.conversation.handle({
        channel: "sms",
        address,
        input: { type: "text", text: word },
      });
      expect(outcome.replies.map((r) => JSON.stringify(r)).join(" ")).toContain("English or Cymraeg?");
    }
  });

  it("with no channel on, says the chat is not open yet rather than offering nothing", async () => {
    const t = tempDir();
    let services: NodeServices | undefined;
    try {
      services = await openNodeServices(
        loadConfig({ DATABASE_URL: `file:${path.join(t.dir, "h.db")}`, APP_SECRET: "y".repeat(40) }),
        { log: silentLogger, now: testClock().now },
      );
      const html = await (await createApp(services.appDeps).request("/", { headers: BROWSER })).text();
      expect(text(html)).toContain("The chat is not open yet.");
      expect(html).not.toContain("t.me/");
      expect(html).not.toContain("sms:");
    } finally {
      await services?.close();
      t.cleanup();
    }
  });
});

describe("favicon, robots.txt and trailing slashes", () => {
  it("serves an icon where browsers look for one", async () => {
    const ico = await h.app.request("/favicon.ico", { headers: BROWSER });
    expect(ico.status).toBe(301);
    expect(ico.headers.get("Location")).toBe("/favicon.svg");
    const svg = await h.app.request("/favicon.svg");
    expect(svg.headers.get("Content-Type")).toBe("image/svg+xml");
    expect(await svg.text()).toMatch(/^<svg /);
  });

  it("asks search engines to keep out of the dashboard, champion pages, API and webhooks", async () => {
    const robots = await (await h.app.request("/robots.txt")).text();
    for (const path of ["/dashboard", "/champions", "/api/", "/webhooks/"])
      expect(robots).toContain(`Disallow: ${path}\n`);
  });

  it.each(["/dashboard/", "/privacy/"])("GET %s finds the page without the slash", async (path) => {
    const res = await h.app.request(path, { headers: BROWSER });
    expect(res.status).toBe(301);
    expect(new URL(res.headers.get("Location")!).pathname).toBe(path.slice(0, -1));
  });
});

describe("a page that does not exist", () => {
  it("is an HTML page with a way home for a browser", async () => {
    const res = await h.app.request("/no-such-page", { headers: BROWSER });
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain("<h1>Page not found</h1>");
    expect(html).toContain('href="/"');
    expect(text(await (await h.app.request("/no-such-page?lang=cy", { headers: BROWSER })).text())).toContain(
      "Heb ddod o hyd i'r dudalen",
    );
  });

  it("stays JSON for API clients, and under /api/ even for a browser", async () => {
    const json = await h.app.request("/no-such-page", { headers: { Accept: "application/json" } });
    expect(json.status).toBe(404);
    expect(await json.json()).toMatchObject({ error: "not_found" });
    const api = await h.app.request("/api/v1/nothing", { headers: BROWSER });
    expect(api.headers.get("Content-Type")).toContain("application/json");
  });
});
