// An officer in the loop: residents write free text over SMS; the answers the offline tagger
// found no theme in, or only faint clues, are listed for an operator at
// /dashboard/themes-review (redacted text, area and month only); the officer's themes replace
// the tagger's, count in the running totals from then on (theme_counts stays the sum of the
// facts, key sums included), and the audit log records who did it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PUBLIC_URL, startHarness, type Harness } from "../support/channel-harness.js";
import { DashboardClient, csrfOf } from "../support/dashboard-client.js";

let h: Harness;
let n = 0;
let operator: DashboardClient;
let operatorId: string;

/** One resident through the priorities flow over SMS, writing `idea` as their free text. */
async function resident(area: string, idea: string) {
  const address = `+4477008${String(++n).padStart(5, "0")}`;
  for (const text of ["hi", "english", "yes", `${area} 1AA`, "housing", idea, "skip", "no"])
    await h.services.conversation.handle({ channel: "sms", address, input: { type: "text", text } });
}

/** The review page's items: answer id and what is shown. */
function itemsOf(html: string): { answer: string; text: string }[] {
  return [...html.matchAll(/<form class="review"[\s\S]*?name="answer" value="([^"]+)"[\s\S]*?<\/form>/g)].map((m) => ({
    answer: m[1]!,
    text: m[0],
  }));
}

async function review(client: DashboardClient, csrf: string, answer: string, themes: string[]) {
  const body = new URLSearchParams({ csrf, answer });
  for (const t of themes) body.append("themes", t);
  return h.app.request(`${PUBLIC_URL}/dashboard/themes-review`, {
    method: "POST",
    headers: {
      Cookie: (client as unknown as { cookie: string }).cookie,
      "Content-Type": "application/x-www-form-urlencoded",
      Origin: PUBLIC_URL,
    },
    body: body.toString(),
  });
}

/** Text themes in the running totals, and whether they equal the sum of the facts. */
async function totals() {
  const counts = await h.services.prisma.$queryRawUnsafe<{ theme: string; count: number; key_sum: number }[]>(
    `SELECT "theme", SUM("count") AS "count", SUM("key_sum") AS "key_sum" FROM "theme_counts" WHERE "source" = 'text' GROUP BY "theme" HAVING SUM("count") <> 0 ORDER BY 1`,
  );
  const facts = await h.services.prisma.$queryRawUnsafe<{ theme: string; count: number; key_sum: number }[]>(
    `SELECT f."theme", COUNT(*) AS "count", SUM(c."record_key") AS "key_sum" FROM "theme_facts" f JOIN "contacts" c ON c."id" = f."contact_id" WHERE f."source" = 'text' GROUP BY f."theme" ORDER BY 1`,
  );
  const plain = (rows: { theme: string; count: number; key_sum: number }[]) =>
    rows.map((r) => ({ theme: r.theme, count: Number(r.count), keySum: Number(r.key_sum) }));
  expect(plain(counts)).toEqual(plain(facts));
  return Object.fromEntries(plain(counts).map((r) => [r.theme, r.count]));
}

beforeAll(async () => {
  h = await startHarness({});
  await resident("ST6", "Ring Dave on 07700 900111 about sorting the whatsit on the corner");
  await resident("ST6", "the roof and the heating in our place are a mess");
  await resident("ST3", "bins");
  const { token, partner } = await h.services.partners.create("Platform team", [], { role: "operator" });
  operatorId = partner.id;
  operator = new DashboardClient(h.app);
  await operator.signIn(token);
}, 120_000);

afterAll(async () => {
  await h.close();
});

describe("themes review", () => {
  it("is for operators only", async () => {
    const { token } = await h.services.partners.create("Curious partner", ["ST6"]);
    const partner = new DashboardClient(h.app);
    await partner.signIn(token);
    expect((await partner.page("/dashboard/themes-review")).status).toBe(403);
  });

  it("lists what the tagger missed or doubted, with the redacted text, area and month only", async () => {
    const { status, html } = await operator.page("/dashboard/themes-review");
    expect(status).toBe(200);
    const items = itemsOf(html);
    expect(items).toHaveLength(2);
    const [heating, whatsit] = items; // newest first
    expect(whatsit!.text).toContain("[phone]");
    expect(whatsit!.text).not.toContain("07700 900111");
    expect(whatsit!.text).toContain("ST6 · ");
    expect(whatsit!.text).toMatch(/· \d{4}-\d{2} · no theme found/);
    expect(heating!.text).toContain("the roof and the heating in our place are a mess");
    expect(heating!.text).toContain("low confidence");
    expect(heating!.text).toMatch(/value="housing" checked/);
    expect(html).not.toContain("bins");
    expect(html).not.toContain("+44770080");
  });

  it("refuses a form without the session's token, an unknown theme and an unknown answer", async () => {
    const { html } = await operator.page("/dashboard/themes-review");
    const [item] = itemsOf(html);
    expect((await review(operator, "forged", item!.answer, ["safety"])).status).toBe(403);
    const bad = await review(operator, csrfOf(html), item!.answer, ["parking"]);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe("Unknown theme: parking");
    expect((await review(operator, csrfOf(html), "no-such-answer", ["safety"])).status).toBe(404);
  });

  it("counts the officer's themes in the totals from then on, and records who did it", async () => {
    expect(await totals()).toEqual({ environment: 1, housing: 1 });
    const { html } = await operator.page("/dashboard/themes-review");
    const [heating, whatsit] = itemsOf(html);

    // The untagged answer gets two themes.
    const first = await review(operator, csrfOf(html), whatsit!.answer, ["safety", "environment"]);
    expect(first.status).toBe(200);
    expect(await first.text()).toContain("Saved: ");
    expect(await totals()).toEqual({ environment: 2, housing: 1, safety: 1 });

    // The doubted one is corrected: housing out, cost of living in.
    await review(operator, csrfOf(html), heating!.answer, ["cost_of_living"]);
    expect(await totals()).toEqual({ cost_of_living: 1, environment: 2, safety: 1 });

    // Both are settled: nothing left to review.
    const after = await operator.page("/dashboard/themes-review");
    expect(itemsOf(after.html)).toEqual([]);
    expect(after.html).toContain("Nothing to review.");

    // The reviews draft learned phrases for the tagger: redacted text only, with the themes settled on.
    const draft = await operator.page("/dashboard/themes-review/learned-phrases");
    expect(draft.status).toBe(200);
    expect(draft.html).toMatch(
      /^ {2}\["ring (?:dave )?on about sorting the whatsit on the corner", \["safety","environment"\]\],$/m,
    );
    expect(draft.html).toContain('["the roof and the heating in our place are a mess", ["cost_of_living"]]');
    expect(draft.html).not.toContain("07700");
    const audit = (await h.services.partners.recentAudit(20)).filter((a) => a.action === "themes.review");
    expect(audit.map((a) => a.actor)).toEqual([operatorId, operatorId]);
    expect(JSON.parse(audit[0]!.detail)).toEqual({
      themes: ["cost_of_living"],
      added: ["cost_of_living"],
      removed: ["housing"],
    });
  });
});
