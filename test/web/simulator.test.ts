// The simulator (/dashboard/simulator): an officer talks to a flow as a resident would, on
// Telegram's buttons or SMS's numbered options, through the conversation host the webhooks use,
// and sees the answers that would be stored and each SMS's segments. The practice resident never
// reaches insight: every insight API route, page, download, the feed, champions' reach, a
// broadcast's audience, the public results and the tables under them read the same before and
// after (and the same reading does see a real resident's identical conversation). Through
// app.request() as a browser sends the forms; residents through the SMS webhook.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/channel-harness.js";
import { DashboardClient, csrfOf } from "../support/dashboard-client.js";
import { changedSurfaces, readInsightSurfaces, type Readers } from "../support/insight-surfaces.js";
import { SimulatorClient, unescapeHtml } from "../support/simulator-client.js";

let h: Harness;
let operator: DashboardClient;
let readers: Readers;
let phone = 100;

/** The simulator through app.request, signed in as this dashboard client. */
const simulatorOf = (client: DashboardClient) =>
  new SimulatorClient({
    page: async (path) => (await client.page(path)).html,
    post: (path, f) => client.post(path, f),
  });

async function sms(from: string, body: string): Promise<string> {
  const response = await h.smsFrom(from, body);
  expect(response.status).toBe(200);
  return unescapeHtml(await response.text());
}

/** A real resident through the SMS webhook: the priorities flow in ST6, housing and transport, in their own words. */
async function resident(words = "The buses stop too early at night"): Promise<string> {
  const from = `+4477009${String(++phone).padStart(5, "0")}`;
  for (const body of ["hi", "1", "yes", "ST6 1AA", "1, 6", words, "3", "no", "no", "no"]) await sms(from, body);
  return from;
}

beforeAll(async () => {
  h = await startHarness();
  // Enough residents in ST6 that every figure is published: one more would change them.
  for (let i = 0; i < 12; i++) await resident();
  const op = await h.services.partners.create("Engagement team", [], { role: "operator" });
  operator = new DashboardClient(h.app);
  await operator.signIn(op.token);
  const p = await h.services.partners.create("Burslem Partnership", ["ST6"]);
  const partner = new DashboardClient(h.app);
  await partner.signIn(p.token);
  // ST6 published, so its public results page is one of the readings.
  const publicPage = await operator.page("/dashboard/public");
  expect((await operator.post("/dashboard/public", { csrf: csrfOf(publicPage.html), area: "ST6" })).status).toBe(200);
  const champion = await h.services.champions.create("Burslem Community Pantry", "BCP");
  readers = {
    app: h.app,
    prisma: h.services.prisma,
    partnerToken: p.token,
    partner,
    operator,
    championPage: `/champions/${champion.code}?key=${champion.viewToken}`,
  };
}, 120_000);

afterAll(async () => {
  await h.close();
});

describe("/dashboard/simulator", () => {
  it("talks the priorities flow in Welsh with Telegram's buttons, shows the answers that would be stored, and nothing reaches insight", async () => {
    const before = await readInsightSurfaces(readers);
    const outboxBefore = await h.services.prisma.outboxMessage.count();
    const sim = simulatorOf(operator);
    await sim.welshPriorities("Ffoniwch fi ar 07700 900123, mae angen bws i Hanley ar ôl 6pm");
    expect(sim.status).toBe(200);

    const answers = sim.answers();
    expect(answers["priorities.postcode"]?.[0]).toBe('"ST6"');
    expect(answers["priorities.priorities"]).toEqual([
      "housing, transport",
      "-",
      "housing (chosen), transport (chosen)",
    ]);
    // Free text as it would be kept for analysis: the phone number redacted, the themes found.
    const idea = answers["priorities.biggest_difference"]!;
    expect(idea[1]).toContain("[phone]");
    expect(idea[1]).not.toContain("07700");
    expect(idea[2]).toContain("transport (in their words)");
    expect(answers["priorities.hear_back"]?.[0]).toBe("true");
    expect(sim.field("contact-language")).toBe("cy");
    // The whole conversation travels in the form, well inside the 64 kB a dashboard form may post.
    expect(sim.state.length).toBeLessThan(32 * 1024);

    // Audited, without anything the officer typed.
    const audit = await h.services.partners.recentAudit(20);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["simulator.start", "simulator.message"]));
    expect(audit.find((a) => a.action === "simulator.start")!.detail).toBe(
      JSON.stringify({ flow: "priorities", language: "cy", channel: "telegram" }),
    );
    expect(audit.map((a) => a.detail).join("\n")).not.toMatch(/07700|Hanley|ST6 1AA/);

    // Nothing of it anywhere a partner, a champion or the public looks, nor in the tables.
    expect(changedSurfaces(before, await readInsightSurfaces(readers))).toEqual([]);
    expect(await h.services.prisma.outboxMessage.count()).toBe(outboxBefore);
  });

  it("the same reading sees a real resident who says the same (so it would see a leak)", async () => {
    const before = await readInsightSurfaces(readers);
    await resident("Ring me on 07700 900123, we need a bus to Hanley after 6pm");
    const changed = changedSurfaces(before, await readInsightSurfaces(readers));
    expect(changed).toEqual(
      expect.arrayContaining([
        "/api/v1/insights/priorities",
        "/api/v1/insights/quotes?theme=transport",
        "/api/v1/feed",
        "partner /dashboard",
        "partner /dashboard/priorities.csv",
        "public /results/ST6",
        "table contacts",
        "table answers",
        "table facts",
        "table themeCounts",
        "table respondentCounts",
      ]),
    );
  });

  it("renders SMS with numbered options and each message's segments; LANGUAGE and STOP work as for a resident, and STOP touches no real contact", async () => {
    const real = await resident();
    const before = await readInsightSurfaces(readers);
    const sim = simulatorOf(operator);
    await sim.start("priorities", "en", "sms");
    expect(sim.lastBot()).toContain("1. English\n2. Cymraeg");
    expect(sim.segments()[0]).toMatch(/^SMS: \d segments? \(GSM-7, \d+ characters\)$/);
    await sim.say("1");
    await sim.say("yes");
    await sim.say("LANGUAGE");
    expect(sim.lastBot()).toContain("Which language would you like?");
    await sim.say("2");
    expect(sim.botMessages().slice(-2).join("\n")).toContain("Iawn, fe wna i siarad Cymraeg.");
    expect(sim.field("contact-language")).toBe("cy");
    // Every SMS shown with its segments; the twelve priorities take three (the flow allows it).
    await sim.say("ST6 1AA");
    expect(sim.lastBot()).toContain("12. Gofal a chymorth");
    expect(sim.segments().at(-1)).toMatch(/^SMS: 3 segments \(GSM-7, \d+ characters\)$/);
    expect(sim.segments()).toHaveLength(sim.botMessages().length);

    await sim.say("STOP");
    expect(sim.field("contact-status")).toBe("stopped");
    await sim.say("helo");
    expect(sim.segments()).toHaveLength(sim.botMessages().length);
    // No real contact is stopped, nothing reached insight, and the real resident is still talked to.
    expect(await h.services.prisma.contact.count({ where: { status: "stopped" } })).toBe(0);
    expect(changedSurfaces(before, await readInsightSurfaces(readers))).toEqual([]);
    expect(await sms(real, "OFFER")).toContain("What could you offer your area?");
    await sim.say("START");
    expect(sim.field("contact-status")).toBe("active");
    // OFFER, MYDATA and DELETE as for a resident (in Welsh now), on the practice resident only.
    await sim.say("OFFER");
    expect(sim.lastBot()).toContain("Beth allech chi ei gynnig i'ch ardal?");
    await sim.say("MYDATA");
    expect(sim.botMessages().join("\n")).toContain("dyma bopeth sydd gennym ni amdanoch chi");
    await sim.say("DELETE");
    expect(sim.lastBot()).toContain("atebwch DILEU IE");
    await sim.say("DILEU IE");
    expect(sim.lastBot()).toContain("Rydyn ni wedi dileu popeth");
    expect(sim.field("contact-status")).toBe("erased (DELETE YES)");
    expect(sim.answers()).toEqual({});
    expect(await h.services.prisma.contact.findMany({ where: { status: "stopped" } })).toEqual([]);
    expect(await sms(real, "MYDATA")).toContain("Here is everything");
  });

  it("keeps each officer's conversation to their own sign-in, lapses after an hour, and checks every form", async () => {
    const sim = simulatorOf(operator);
    await sim.start("feedback", "en", "sms");
    const mine = sim.state;
    // Another operator cannot carry it on (nor can a changed snapshot).
    const other = new DashboardClient(h.app);
    await other.signIn((await h.services.partners.create("Second officer", [], { role: "operator" })).token);
    const theirs = simulatorOf(other);
    await theirs.start("priorities", "en", "sms");
    await theirs.say("yes", mine);
    expect(theirs.status).toBe(400);
    expect(theirs.html).toContain("started in another sign-in");
    const [payload, mac] = mine.split(".");
    await sim.say("yes", `${payload}x.${mac}`);
    expect(sim.status).toBe(400);
    // An hour without a message: it lapses.
    await sim.start("feedback", "en", "sms");
    const fresh = sim.state;
    h.clock.advance(61 * 60_000);
    await sim.say("yes", fresh);
    expect(sim.status).toBe(400);
    expect(sim.html).toContain("lapsed after an hour");
    // Bad choices are 400 with a message; no CSRF is 403; a partner gets 403.
    const { html } = await operator.page("/dashboard/simulator");
    const bad = await operator.post("/dashboard/simulator/start", {
      csrf: csrfOf(html),
      flow: "nope",
      language: "en",
      channel: "sms",
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Choose a flow.");
    expect(
      (await operator.post("/dashboard/simulator/start", { flow: "priorities", language: "en", channel: "sms" }))
        .status,
    ).toBe(403);
    await sim.start("priorities", "en", "telegram");
    const stale = await operator.post("/dashboard/simulator/press", {
      csrf: csrfOf(sim.html),
      state: sim.state,
      press: "99:nothing",
    });
    expect(stale.status).toBe(400);
    const partner = new DashboardClient(h.app);
    await partner.signIn((await h.services.partners.create("A partner", ["ST6"])).token);
    expect((await partner.page("/dashboard/simulator")).status).toBe(403);
    // Signed out, the conversation ends with the session: a reply gets the sign-in page, back to the simulator.
    const leaving = new DashboardClient(h.app);
    await leaving.signIn((await h.services.partners.create("Third officer", [], { role: "operator" })).token);
    const practice = simulatorOf(leaving);
    await practice.start("priorities", "en", "sms");
    expect((await leaving.post("/dashboard/logout", { csrf: practice.csrf })).status).toBe(303);
    await practice.say("1");
    expect(practice.html).toContain("You signed out. Please sign in again.");
    expect(practice.html).toContain('name="next" value="/dashboard/simulator"');
    expect(practice.html).not.toContain('data-testid="transcript"');
  });
});
