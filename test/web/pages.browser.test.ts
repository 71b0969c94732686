// Every HTML page the service serves, in Chromium at 1280, 390 and 320 px wide: axe-core finds
// nothing against WCAG 2.2 AA, nothing scrolls sideways, and the skip link is the first thing
// Tab reaches and moves focus to the main content. The dashboard's trend chart has a y-axis
// with a scale, period labels that fit, gaps for periods without figures, and no text under
// 12 px; the page states its period and base. One Chromium for the file.
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import type { AxeResults } from "axe-core";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blockStart } from "../../src/insights/periods.js";
import { packageRoot } from "../../src/runtime-node/paths.js";
import { launchChromium } from "../support/browser.js";
import { startHarness, type Harness } from "../support/channel-harness.js";
import { runCliInProcess } from "../support/cli.js";
import { testClock } from "../support/clock.js";
import { samplePackage } from "../support/directory-package.js";
import { DashboardClient } from "../support/dashboard-client.js";
import { changedSurfaces, readInsightSurfaces } from "../support/insight-surfaces.js";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const WIDTHS = [1280, 390, 320] as const;
// WCAG 2.2 AA, and axe's best practices (one main, one h1, no empty table header among them).
const TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa", "best-practice"];
/** "Today" for the service: Monday 5 January 2026, in block 26 (from 29 Dec 2025). */
const TODAY = "2026-01-05T10:00:00Z";

let h: Harness;
let server: ServerType;
let base: string;
let browser: Browser;
let champion: { code: string; viewToken: string };
const tokens: Record<"partner" | "operator" | "group", string> = { partner: "", operator: "", group: "" };

let n = 0;
async function resident(postcode: string, picks: string, first = "hi") {
  const address = `+4477009${String(++n).padStart(5, "0")}`;
  for (const text of [first, "english", "yes", postcode, picks, "skip", "skip", "no"])
    await h.services.conversation.handle({ channel: "sms", address, input: { type: "text", text } });
}

beforeAll(async () => {
  const clock = testClock(TODAY);
  h = await startHarness(
    // Plain http on this machine: the session cookie is not Secure, as on any http address.
    // A group writes once per width in the relays check: more than a resident's weekly default of 3.
    { PUBLIC_URL: "http://127.0.0.1", RELAY_WEEKLY_LIMIT: "10" },
    clock,
    // Webhook hosts resolve to a public address (nothing is sent to it).
    { resolveHost: async () => ["93.184.216.34"] },
  );
  champion = await h.services.champions.create("Burslem Community Pantry", "BCP");
  // Answers over a year of four-week blocks: some blocks with enough to show, one with a few
  // (withheld), several with none; block 18 stands alone between gaps.
  const seed: [block: number, count: number, postcode: string, picks: string][] = [
    [13, 12, "ST6 1AA", "housing"],
    [14, 11, "ST6 1AA", "housing, transport"],
    [17, 4, "ST6 1AA", "housing"],
    [18, 12, "ST6 1AA", "housing, safety"],
    [23, 11, "ST3 4HS", "housing, jobs"],
    [24, 12, "ST6 1AA", "housing"],
    [25, 3, "ST3 4HS", "jobs"],
  ];
  for (const [block, count, postcode, picks] of seed) {
    clock.set(new Date(blockStart(block) + 86_400_000 + 10 * 3_600_000));
    for (let i = 0; i < count; i++) await resident(postcode, picks);
  }
  clock.set(new Date(blockStart(26) + 10 * 3_600_000));
  for (let i = 0; i < 11; i++) await resident("ST6 2BB", "housing, transport", `JOIN ${champion.code}`);
  clock.set(TODAY);

  const partner = await h.services.partners.create("Stoke-on-Trent City Council", ["ST3", "ST6"]);
  tokens.partner = partner.token;
  tokens.operator = (await h.services.partners.create("Platform team", [], { role: "operator" })).token;
  // An update sent, a webhook with a delivery queued, and a dead letter with a long error.
  await h.services.updates.publish({
    author: partner.partner.id,
    theme: "housing",
    areas: ["ST6"],
    weDid: { en: "We have opened a housing advice drop-in at Burslem library every Tuesday morning." },
  });
  await h.services.feed.register(
    partner.partner.id,
    "https://insight-receiver.stoke-on-trent-city-council.example.org/placevoice/webhooks/weekly-insight-feed",
  );
  await h.services.feed.enqueue(partner.partner, "on_demand");
  const contact = await h.services.prisma.contact.findFirstOrThrow({ where: { channel: "sms" } });
  await h.services.prisma.outboxMessage.create({
    data: {
      id: "dead-letter-0123456789abcdef0123456789abcdef",
      contactId: contact.id,
      channel: "sms",
      payload: JSON.stringify({ text: "Private reply text" }),
      status: "dead",
      attempts: 8,
      idempotencyKey: "dead-1",
      createdAt: clock.now(),
      lastError:
        "Twilio 400: The 'To' number +447700900123 is not a valid phone number. https://www.twilio.com/docs/errors/21211",
    },
  });

  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await h?.close();
});

type Role = "public" | "partner" | "operator" | "group";
const pages = new Map<Role, Page[]>();

/** A page per width for a role (one context, signed in), kept for the file. */
async function pagesFor(role: Role): Promise<Page[]> {
  const existing = pages.get(role);
  if (existing) return existing;
  // The pages forbid inline scripts; the test injects axe-core, so its context bypasses the CSP.
  const context = await browser.newContext({ bypassCSP: true });
  // axe-core in every document the pages load (an init script, before the page's own).
  await context.addInitScript({ path: AXE });
  const made = await Promise.all(
    WIDTHS.map(async (width) => {
      const page = await context.newPage();
      page.setDefaultTimeout(8000);
      await page.setViewportSize({ width, height: 800 });
      return page;
    }),
  );
  if (role !== "public") {
    const page = made[0]!;
    await page.goto(`${base}/dashboard`);
    await page.getByLabel("Partner token").fill(tokens[role]);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: /^Insight for / }).waitFor();
  }
  pages.set(role, made);
  return made;
}

interface Finding {
  readonly page: string;
  readonly width: number;
  readonly scrollWidth: number;
  readonly violations: string[];
  readonly skip: string;
}

/** Opens the page at each width (at once) and reports axe's violations, the document's width and the skip link. */
async function check(role: Role, name: string, open: (page: Page) => Promise<unknown>): Promise<Finding[]> {
  return Promise.all(
    (await pagesFor(role)).map(async (page, i): Promise<Finding> => {
      const width = WIDTHS[i]!;
      await open(page);
      const results = (await page.evaluate(
        (tags) =>
          (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<unknown> } }).axe.run(document, {
            runOnly: { type: "tag", values: tags },
            resultTypes: ["violations"],
          }),
        TAGS,
      )) as AxeResults;
      const violations = results.violations.map(
        (v) =>
          `${v.id} (${v.impact}): ${v.help} — ${v.nodes
            .slice(0, 3)
            .map((node) => node.target.join(" "))
            .join(", ")}${v.nodes.length > 3 ? ` and ${v.nodes.length - 3} more` : ""}`,
      );
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      // The first Tab from the top of the page reaches the skip link; following it focuses main.
      await page.keyboard.press("Tab");
      const first = await page.evaluate(() => {
        const el = document.activeElement as HTMLAnchorElement | null;
        return el ? `${el.tagName.toLowerCase()} ${el.getAttribute("href") ?? ""} ${el.textContent ?? ""}` : "none";
      });
      let skip = `first focus: ${first}`;
      if (first.startsWith("a #main ")) {
        await page.keyboard.press("Enter");
        const landed = await page.evaluate(() => {
          const el = document.activeElement;
          return el ? `${el.tagName.toLowerCase()}#${el.id}` : "none";
        });
        skip = landed === "main#main" ? "ok" : `skip link leads to ${landed}`;
      }
      return { page: name, width, scrollWidth, violations, skip };
    }),
  );
}

function expectClean(...checks: Finding[][]) {
  const problems = checks
    .flat()
    .flatMap((f) => [
      ...f.violations.map((v) => `${f.page} at ${f.width} px: ${v}`),
      ...(f.scrollWidth > f.width
        ? [`${f.page} at ${f.width} px: the page is ${f.scrollWidth} px wide (scrolls sideways)`]
        : []),
      ...(f.skip === "ok" ? [] : [`${f.page} at ${f.width} px: ${f.skip}`]),
    ]);
  expect(problems, problems.join("\n")).toEqual([]);
}

/** Loads `path` (expecting `status`) at each width and checks it. */
const visit = (role: Role, path: string, status = 200) =>
  check(role, path, async (page) => {
    const response = await page.goto(`${base}${path}`);
    expect(response?.status(), path).toBe(status);
  });

describe("every page, at 1280, 390 and 320 px", () => {
  it("the front door, in English and Welsh", async () => {
    expectClean(await visit("public", "/"), await visit("public", "/?lang=cy"));
  });

  it("the privacy notice, in English and Welsh", async () => {
    expectClean(await visit("public", "/privacy"), await visit("public", "/privacy?lang=cy"));
  });

  it("sign-in, and sign-in refused", async () => {
    expectClean(
      await visit("public", "/dashboard"),
      await check("public", "sign-in refused", async (page) => {
        await page.goto(`${base}/dashboard`);
        await page.getByLabel("Partner token").fill("pv_wrong-token-wrong-token-wrong");
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.getByRole("alert").waitFor();
      }),
    );
  });

  it("the 404 page, in English and Welsh", async () => {
    expectClean(await visit("public", "/no-such-page", 404), await visit("public", "/no-such-page?lang=cy", 404));
  });

  it("a champion's page, and the page for a link that is not valid", async () => {
    expectClean(
      await visit("public", `/champions/${champion.code}?key=${champion.viewToken}`),
      await visit("public", `/champions/${champion.code}?key=wrong`, 404),
    );
  });

  it("the dashboard: all areas, one area and block, an area with none, an area that is not the partner's", async () => {
    expectClean(
      await visit("partner", "/dashboard"),
      await visit("partner", "/dashboard?area=ST6&period=2025-12-01&theme=housing"),
      await visit("partner", "/dashboard?area=ST3&period=2025-12-29"),
      await visit("partner", "/dashboard?area=ST9", 403),
    );
  });

  it("the dashboard for an operator (any area)", async () => {
    expectClean(await visit("operator", "/dashboard?area=ST6"));
  });

  it("areas by name: the district picker of a partner with every area, and areas compared for one theme", async () => {
    expectClean(
      await check("operator", "district picker", async (page) => {
        await page.goto(`${base}/dashboard`);
        await page.getByLabel("Area").selectOption({ label: "ST3 Longton" });
        await page.getByRole("button", { name: "Show" }).click();
        await page.getByRole("heading", { name: "Priorities in ST3 Longton" }).waitFor();
      }),
      await visit("partner", "/dashboard/compare?theme=housing"),
      await visit("operator", "/dashboard/compare?theme=transport&period=year&age_band=age_25_34"),
    );
  });

  it("you said, we did: the list, the preview, and a refused draft", async () => {
    expectClean(
      await visit("partner", "/dashboard/updates"),
      await check("partner", "update preview", async (page) => {
        await page.goto(`${base}/dashboard/updates`);
        await page.getByLabel("Areas").fill("ST6");
        await page.getByLabel("We did / we will (English)").fill("We have opened a housing advice drop-in.");
        await page.getByLabel("Link (optional)").fill("https://www.stoke.gov.uk/info/20011/housing/advice-drop-in");
        await page.getByRole("button", { name: "Preview" }).click();
        await page.getByRole("heading", { name: "Preview", level: 1 }).waitFor();
      }),
      await check("partner", "update refused", async (page) => {
        await page.goto(`${base}/dashboard/updates`);
        await page.getByLabel("Areas").fill("ST1");
        await page.getByLabel("We did / we will (English)").fill("Something");
        await page.getByRole("button", { name: "Preview" }).click();
        await page.getByRole("alert").waitFor();
      }),
    );
  });

  it("reach: after the operator imports the illustrative baseline, for a partner, an operator and an area not the partner's", async () => {
    const imported = await runCliInProcess(
      ["population", "import", "examples/population-illustrative.csv", "--source", "Illustrative", "--year", "2021"],
      {
        env: {
          DATABASE_URL: `file:${h.services.databaseFile}`,
          APP_SECRET: "channel-tests-app-secret-0123456789abcdef",
        },
      },
    );
    expect(imported.code).toBe(0);
    expectClean(
      await visit("partner", "/dashboard/reach"),
      await visit("operator", "/dashboard/reach?period=year"),
      await visit("partner", "/dashboard/reach?area=ST9", 403),
    );
  });

  it("the webhook page, and its signing secret shown once", async () => {
    expectClean(
      await visit("partner", "/dashboard/webhook"),
      await check("partner", "webhook registered", async (page) => {
        await page.goto(`${base}/dashboard/webhook`);
        await page.getByLabel("Webhook URL").fill("https://hooks.example.org/placevoice/insight-for-stoke-on-trent");
        await page.getByRole("button", { name: "Replace" }).click();
        await page.getByTestId("webhook-secret").waitFor();
      }),
    );
  });

  it("public results: the operator publishes an area; its results and updates in English and Welsh", async () => {
    expectClean(
      await check("operator", "public results published", async (page) => {
        await page.goto(`${base}/dashboard/public`);
        await page.getByLabel("Postcode district").fill("ST6");
        await page.getByRole("button", { name: "Publish" }).click();
        await page.getByRole("status").waitFor();
      }),
      await visit("public", "/results"),
      await visit("public", "/results?lang=cy"),
      await visit("public", "/results/ST6"),
      await visit("public", "/results/ST6?lang=cy"),
      await visit("public", "/results/ST3", 404),
      await visit("public", "/you-said-we-did"),
      await visit("public", "/you-said-we-did?lang=cy"),
    );
  });

  it("admin: flows, outbox and dead letters, accounts, audit; a new token; refused to a partner", async () => {
    let created = 0;
    expectClean(
      await visit("operator", "/dashboard/admin"),
      await check("operator", "admin, token created", async (page) => {
        await page.goto(`${base}/dashboard/admin`);
        await page.getByLabel("Name").fill(`Tunstall and District Community Trust ${++created}`);
        await page.getByLabel("Areas (blank: all)").fill("ST6");
        await page.getByRole("button", { name: "Create token" }).click();
        await page.getByTestId("new-token").waitFor();
      }),
      await visit("partner", "/dashboard/admin", 403),
    );
  });

  it("broadcasts: the preview, a started broadcast's progress; refused to a partner", async () => {
    expectClean(
      await visit("operator", "/dashboard/admin/broadcasts?flow=feedback&areas=ST6"),
      // A district nobody lives in: the broadcast queues nothing for the other tests here.
      await check("operator", "broadcast started", async (page) => {
        await page.goto(`${base}/dashboard/admin/broadcasts?flow=feedback&areas=ST9`);
        await page.getByRole("button", { name: "Start the broadcast" }).click();
        await page.getByTestId("progress").waitFor();
      }),
      await visit("partner", "/dashboard/admin/broadcasts", 403),
    );
  });

  it("champions: the list with reach, a champion created (its private link shown once), a campaign code, the A4 and A5 posters; refused to a partner", async () => {
    let created = 0;
    expectClean(
      await visit("operator", "/dashboard/champions"),
      await check("operator", "champions, one created", async (page) => {
        await page.goto(`${base}/dashboard/champions`);
        await page.getByLabel("Name").fill(`Tunstall and District Community Trust Youth Forum ${++created}`);
        await page.getByLabel("Organisation (optional)").fill("TDCT");
        await page.getByRole("button", { name: "Create champion" }).click();
        await page.getByTestId("private-link").waitFor();
      }),
      await check("operator", "champions, a campaign code added", async (page) => {
        await page.goto(`${base}/dashboard/champions`);
        await page.getByLabel("Campaign (a poster or venue)").first().fill("Poster: Tunstall Park café noticeboard");
        await page.getByLabel("Starts").first().selectOption("offers");
        await page.getByRole("button", { name: "Add campaign code" }).first().click();
        await page.getByTestId("new-code").waitFor();
      }),
      await visit("operator", `/dashboard/champions/${champion.code}/poster`),
      await visit("operator", `/dashboard/champions/${champion.code}/poster?size=a5`),
      await visit("partner", "/dashboard/champions", 403),
    );
  });

  it("the services directory: the sample uploaded (its report, then imported), a broken package's problems; refused to a partner", async () => {
    const choose = (page: Page, name: string, bytes: Uint8Array) =>
      page.getByLabel(/^Package/).setInputFiles({ name, mimeType: "application/zip", buffer: Buffer.from(bytes) });
    // service.csv without its name column: every row is a problem, nothing to import.
    const broken = samplePackage((file, text) =>
      file === "service.csv" ? text.replace(/^id,organization_id,name,/, "id,organization_id,title,") : text,
    );
    expectClean(
      await visit("operator", "/dashboard/admin/directory"),
      await check("operator", "directory, the sample checked and imported", async (page) => {
        await page.goto(`${base}/dashboard/admin/directory`);
        await choose(page, "stoke-on-trent.zip", samplePackage());
        await page.getByRole("button", { name: "Check the package" }).click();
        await page.getByTestId("dry-run").waitFor();
        expect(await page.getByTestId("updated").textContent()).toBe("37");
        await page.getByRole("button", { name: "Import 37 services" }).click();
        await page.getByTestId("imported").waitFor();
      }),
      await check("operator", "directory, a broken package", async (page) => {
        await page.goto(`${base}/dashboard/admin/directory`);
        await choose(page, "stoke-on-trent.zip", broken);
        await page.getByRole("button", { name: "Check the package" }).click();
        await page.getByTestId("nothing-to-import").waitFor();
        expect(await page.getByTestId("problems").textContent()).toContain("missing required column name");
      }),
      await visit("partner", "/dashboard/admin/directory", 403),
    );
  });

  it("the simulator: the priorities flow in Welsh on Telegram's buttons at each width, the answers it would store, and nothing reaches the totals; refused to a partner", async () => {
    const signedIn = async (token: string) => {
      const client = new DashboardClient(h.app);
      await client.signIn(token);
      return client;
    };
    const readers = {
      app: h.app,
      prisma: h.services.prisma,
      partnerToken: tokens.partner,
      partner: await signedIn(tokens.partner),
      operator: await signedIn(tokens.operator),
      championPage: `/champions/${champion.code}?key=${champion.viewToken}`,
    };
    const before = await readInsightSurfaces(readers);
    /** Does something that sends a form, and waits for the page with one more line of conversation. */
    const then = async (page: Page, act: () => Promise<unknown>) => {
      const lines = await page.getByTestId("transcript").locator(":scope > li").count();
      await act();
      await page.getByTestId("transcript").locator(":scope > li").nth(lines).waitFor();
    };
    const press = (page: Page, name: string) =>
      then(page, () => page.getByRole("button", { name, exact: true }).last().click());
    const say = (page: Page, text: string) =>
      then(page, async () => {
        await page.getByLabel("Reply as the resident").fill(text);
        await page.getByRole("button", { name: "Send" }).click();
      });
    const lastBot = (page: Page) => page.getByTestId("bot-message").last().textContent();
    expectClean(
      await visit("operator", "/dashboard/simulator"),
      await check("operator", "simulator, the priorities flow in Welsh", async (page) => {
        await page.goto(`${base}/dashboard/simulator`);
        await page.getByLabel("Flow").selectOption("priorities");
        await page.getByLabel("Language").selectOption("cy");
        await page.getByLabel("As on").selectOption("telegram");
        await page.getByRole("button", { name: "Start", exact: true }).click();
        await page.getByTestId("transcript").waitFor();
        expect(await lastBot(page)).toContain("Helo, PlaceVoice sydd yma");
        await press(page, "Cymraeg");
        await press(page, "Ie");
        expect(await lastBot(page)).toContain("Beth yw eich cod post?");
        await say(page, "ST6 1AA");
        await press(page, "Tai");
        await press(page, "Bysiau a thrafnidiaeth");
        await press(page, "Gorffen ✔");
        expect(await lastBot(page)).toContain("Pa un peth fyddai'n gwneud y gwahaniaeth mwyaf");
        await say(page, "Ffoniwch fi ar 07700 900123, mae angen bws i Hanley ar ôl 6pm");
        await press(page, "25-34");
        await press(page, "Na");
        await press(page, "Ie");
        await press(page, "Na");
        expect(await page.getByTestId("conversation").textContent()).toMatch(/^ended; completed: .*priorities/);
        const answers = (await page.getByTestId("answers").textContent()) ?? "";
        expect(answers).toContain("housing (chosen), transport (chosen)");
        const kept = await page.locator('tr[data-key="biggest_difference"] td').nth(1).textContent();
        expect(kept).toBe("Ffoniwch fi ar [phone], mae angen bws i Hanley ar ôl 6pm");
      }),
      await check("operator", "simulator, SMS with each message's segments", async (page) => {
        await page.goto(`${base}/dashboard/simulator`);
        await page.getByLabel("As on").selectOption("sms");
        await page.getByRole("button", { name: "Start", exact: true }).click();
        await page.getByTestId("transcript").waitFor();
        await say(page, "1");
        await say(page, "yes");
        expect(await page.getByTestId("segments").last().textContent()).toMatch(/^SMS: \d segments? \(GSM-7/);
      }),
      await visit("partner", "/dashboard/simulator", 403),
    );
    // Three Welsh conversations later, nothing reached a total, a page, an export or the feed.
    expect(changedSurfaces(before, await readInsightSurfaces(readers))).toEqual([]);
  });

  it("flows at a glance: every flow's outline in English and Welsh, lint and the conversation tests; refused to a partner", async () => {
    expectClean(
      await check("operator", "flows at a glance", async (page) => {
        // The page does not wait for the conversation tests; reloaded, it shows their results.
        for (let i = 0; ; i++) {
          const response = await page.goto(`${base}/dashboard/admin/flows`);
          expect(response?.status()).toBe(200);
          if (!(await page.getByTestId("tests-summary").textContent())?.includes("are running")) break;
          expect(i).toBeLessThan(300);
          await page.waitForTimeout(200);
        }
        expect(await page.getByTestId("tests-summary").textContent()).toMatch(/^\d+ passed\.$/);
      }),
      await visit("partner", "/dashboard/admin/flows", 403),
    );
    // A branch's "goes to" link moves to the step it names.
    const page = (await pagesFor("operator"))[1]!;
    await page.goto(`${base}/dashboard/admin/flows`);
    await page.locator('a[href="#step-feedback-what_went_wrong"]').click();
    expect(await page.evaluate(() => location.hash)).toBe("#step-feedback-what_went_wrong");
    expect(await page.locator("#step-feedback-what_went_wrong h3").isVisible()).toBe(true);
  }, 120_000);

  it("relays: a group's residents who asked it to get in touch, with a reply written; the operator's groups; refused to a partner", async () => {
    const address = "+447700977001";
    for (const text of ["OFFER", "yes", "4", "skip", "weekends", "ST6 1AA", "1"])
      await h.services.conversation.handle({ channel: "sms", address, input: { type: "text", text } });
    const relay = await h.services.prisma.relay.findFirstOrThrow({ where: { status: "open" } });
    const group = await h.services.partners.create("Potteries volunteer drivers", [], { groupId: relay.groupId });
    tokens.group = group.token;
    await h.services.relays.send(
      group.partner,
      relay.id,
      "Thank you! Could you drive our minibus on Saturday mornings?",
    );
    expectClean(
      await visit("group", "/dashboard/relays"),
      await check("group", "relays, a reply sent", async (page) => {
        await page.goto(`${base}/dashboard/relays`);
        await page
          .getByLabel(/Your message/)
          .first()
          .fill("We meet at the depot on Waterloo Road at 9.");
        await page.getByRole("button", { name: "Send" }).first().click();
        await page.getByTestId("sent").waitFor();
      }),
      await visit("partner", "/dashboard/relays"),
      await visit("operator", "/dashboard/admin/relays"),
      await check("operator", "relays, a group suspended", async (page) => {
        await page.goto(`${base}/dashboard/admin/relays`);
        await page.getByLabel("Group's directory id", { exact: true }).fill(relay.groupId);
        await page.getByRole("button", { name: "Suspend", exact: true }).first().click();
        await page.getByTestId("notice").waitFor();
      }),
      await visit("partner", "/dashboard/admin/relays", 403),
    );
  });

  it("themes review: answers to settle, with redacted text, area and month; refused to a partner", async () => {
    const idea =
      "Ring Dave on 07700 900111 about sorting out the whatsit on the corner of the cul-de-sac behind the old pottery works, it has been like that since the spring";
    for (const text of ["hi", "english", "yes", "ST6 1AA", "housing", idea, "skip", "no"])
      await h.services.conversation.handle({ channel: "sms", address: "+447700988001", input: { type: "text", text } });
    expectClean(
      await check("operator", "themes review", async (page) => {
        const response = await page.goto(`${base}/dashboard/themes-review`);
        expect(response?.status()).toBe(200);
        await page.getByTestId("review-item").first().waitFor();
        expect(await page.getByTestId("redacted").first().textContent()).toContain("[phone]");
      }),
      await visit("partner", "/dashboard/themes-review", 403),
    );
  });
});

/** The pages of a PDF Chromium printed, each with its size in points (1 pt = 1/72 in). */
function pdfPages(pdf: Buffer): { width: number; height: number }[] {
  const text = pdf.toString("latin1");
  return [
    ...text.matchAll(
      /\/Type\s*\/Page(?![a-zA-Z])[\s\S]*?\/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]/g,
    ),
  ].map((m) => ({ width: Number(m[3]) - Number(m[1]), height: Number(m[4]) - Number(m[2]) }));
}

describe("the champion's poster, printed", () => {
  // ISO 216 in points: A4 is 210 x 297 mm, A5 148 x 210 mm.
  const SHEETS = { a4: { width: 595.28, height: 841.89 }, a5: { width: 419.53, height: 595.28 } } as const;

  it("prints on one sheet of the size chosen, A4 or A5, with the QR code, the code and both languages", async () => {
    const page = (await pagesFor("operator"))[0]!;
    for (const size of ["a4", "a5"] as const) {
      const response = await page.goto(`${base}/dashboard/champions/${champion.code}/poster?size=${size}`);
      expect(response?.status()).toBe(200);
      const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
      const sheets = pdfPages(pdf);
      expect(sheets, size).toHaveLength(1);
      expect(sheets[0]!.width, size).toBeCloseTo(SHEETS[size].width, 0);
      expect(sheets[0]!.height, size).toBeCloseTo(SHEETS[size].height, 0);
      // What the sheet holds: the printed layout keeps the QR code and the code, and drops the page's header.
      await page.emulateMedia({ media: "print" });
      expect(await page.getByRole("img", { name: /QR code/ }).isVisible()).toBe(true);
      expect(await page.getByTestId("poster-code").textContent()).toContain(champion.code);
      expect(await page.locator("header").isVisible()).toBe(false);
      expect(await page.locator('[lang="cy"]').first().isVisible()).toBe(true);
      // Back to no emulation: emulating "screen" would make the next PDF print the screen layout.
      await page.emulateMedia({ media: null });
    }
  });

  it("is A4 or A5: another size is a 400 with a clear message", async () => {
    const page = (await pagesFor("operator"))[0]!;
    const response = await page.goto(`${base}/dashboard/champions/${champion.code}/poster?size=a3`);
    expect(response?.status()).toBe(400);
    expect(await page.textContent("body")).toContain("A poster is A4 or A5");
  });
});

describe("the dashboard's charts", () => {
  it("state their period and base, and the trend has a y-axis with a scale, period labels that fit, a gap for each period without a figure, and no text under 12 px", async () => {
    const perWidth = await pagesFor("partner");
    mkdirSync(path.join(packageRoot, "test-results"), { recursive: true });
    for (const [i, page] of perWidth.entries()) {
      const width = WIDTHS[i]!;
      await page.goto(`${base}/dashboard?area=ST6&theme=housing`);
      expect(await page.getByTestId("period").textContent()).toBe("Answers from 30 Dec 2024 – 5 Jan 2026 (all time).");
      const respondents = await page.getByTestId("respondents").textContent();
      const priorities = await page.getByTestId("priorities-figure").locator("figcaption").textContent();
      const trend = await page.getByTestId("trend-figure").locator("figcaption").textContent();
      expect(priorities).toBe(
        `Residents per priority in ST6 Burslem, 30 Dec 2024 – 5 Jan 2026, of ${respondents} residents who answered. Number of residents; each could choose up to three. Source: residents' answers to PlaceVoice.`,
      );
      expect(trend).toBe(
        `Residents choosing Housing, per four weeks in ST6 Burslem, 30 Dec 2024 – 5 Jan 2026. Base: the ${respondents} residents who answered; each point is how many of them chose housing in those four weeks, marked with their first day. Number of residents. Source: residents' answers to PlaceVoice.`,
      );

      // The themes raised in residents' own words sit beside the chosen priorities on a wide
      // screen, and under them on a phone.
      const chosen = (await page.getByTestId("themes-table").boundingBox())!;
      const written = (await page.getByTestId("written-themes-table").boundingBox())!;
      if (width === 1280) expect(written.y).toBe(chosen.y);
      else expect(written.y).toBeGreaterThan(chosen.y + chosen.height);
      expect(written.x + written.width).toBeLessThanOrEqual(width);

      const chart = page.getByTestId("trend-figure").locator("svg.chart");
      const drawn = await chart.evaluate((svg) => {
        const shown = (el: Element) => (el as SVGGraphicsElement).getBBox().width > 0;
        const texts = (selector: string) => [...svg.querySelectorAll(selector)].filter(shown);
        const box = svg.getBoundingClientRect();
        return {
          yTitle: svg.querySelector(".y-axis .axis-title")?.textContent ?? "",
          yTicks: texts(".y-axis .tick").map((t) => Number(t.textContent)),
          xLabels: texts(".x-axis .tick").map((t) => {
            const r = t.getBoundingClientRect();
            return { text: t.textContent ?? "", left: r.left - box.left, right: r.right - box.left };
          }),
          width: box.width,
          gaps: svg.querySelectorAll("rect.gap").length,
          points: svg.querySelectorAll("circle").length,
        };
      });
      // A y-axis with its title and a round scale from 0.
      expect(drawn.yTitle).toBe("Residents");
      expect(drawn.yTicks[0]).toBe(0);
      expect(drawn.yTicks.length).toBeGreaterThanOrEqual(3);
      expect(drawn.yTicks).toEqual([...drawn.yTicks].sort((a, b) => a - b));
      // Period labels, the first with its year; inside the chart, none touching the next.
      expect(drawn.xLabels.length).toBeGreaterThanOrEqual(3);
      expect(drawn.xLabels[0]!.text).toBe("30 Dec2024");
      for (const [i, label] of drawn.xLabels.entries()) {
        expect(label.left, `${width} px: ${label.text}`).toBeGreaterThanOrEqual(0);
        expect(label.right, `${width} px: ${label.text}`).toBeLessThanOrEqual(drawn.width);
        if (i > 0) expect(label.left, `${width} px: ${label.text}`).toBeGreaterThan(drawn.xLabels[i - 1]!.right);
      }
      // Each period is either a point or a marked gap (explained under the chart), as in the table.
      const table = page.getByTestId("trend-table");
      const withheld = await table.locator("td.suppressed").count();
      expect(withheld).toBeGreaterThan(0);
      expect(drawn.gaps).toBe(withheld);
      expect(drawn.points).toBe((await table.locator("tbody tr").count()) - withheld);
      expect(await page.getByTestId("trend-figure").textContent()).toContain("Hatched: fewer than 10 residents");
      // No chart text smaller than 12 px on screen.
      const sizes = await page
        .locator("svg.chart text")
        .evaluateAll((texts) =>
          texts
            .filter((t) => (t as SVGGraphicsElement).getBBox().width > 0)
            .map((t) => parseFloat(getComputedStyle(t).fontSize) * ((t as SVGGraphicsElement).getScreenCTM()?.a ?? 1)),
        );
      expect(Math.min(...sizes), `${width} px`).toBeGreaterThanOrEqual(12);
      await page.screenshot({ path: path.join(packageRoot, "test-results", `dashboard-${width}.png`), fullPage: true });
    }
  });
});
