// Warm handoffs (docs/relays.md), end to end as the platforms and a group's browser send them: a
// resident offers a skill, gets the local groups that want it, asks one to get in touch; only that
// group sees the offer (area, what, when; never the number or chat id), in its partner view and
// its API, and writes through PlaceVoice; the resident gets it on their own channel through the
// outbox (after quiet hours), answers, says no thanks or STOP; DELETE leaves nothing. Then the
// operator's hold: suspension (dashboard and CLI), the weekly limit, the audit log; and the
// attacks: another group's relay by id, guessed ids, no CSRF token, a partner on admin forms.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SMS_URL,
  TWILIO_NUMBER,
  TWILIO_SID,
  TWILIO_TOKEN,
  startHarness,
  type Harness,
} from "../support/channel-harness.js";
import { runRetention } from "../../src/store/retention.js";
import { DashboardClient, csrfOf } from "../support/dashboard-client.js";
import { callbackUpdate, textUpdate } from "../support/fake-telegram.js";
import { inboundSms } from "../support/fake-twilio.js";

let h: Harness;
let operator: DashboardClient;
let operatorToken: string;
let phone = 900_100;

async function sms(from: string, body: string): Promise<string> {
  const response = await h.sms(
    inboundSms({ url: SMS_URL, authToken: TWILIO_TOKEN, accountSid: TWILIO_SID, from, to: TWILIO_NUMBER, body }),
  );
  expect(response.status).toBe(200);
  return [...(await response.text()).matchAll(/<Message>([\s\S]*?)<\/Message>/g)]
    .map((m) =>
      m[1]!
        .replace(/&apos;/g, "'")
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, "&"),
    )
    .join("\n\n");
}

/** Sends everything due, as the running server's outbox loop does. */
async function drain(): Promise<number> {
  let sent = 0;
  for (;;) {
    const pass = await h.services.dispatcher.runOnce(100);
    sent += pass.sent;
    if (pass.sent + pass.retried + pass.dead + pass.skipped === 0) return sent;
  }
}

const smsTo = (to: string) => h.twilio.sent.filter((m) => m.to === to).map((m) => m.body);

/** A resident offers a skill and lifts by SMS from ST6; returns the reply listing the groups. */
async function offerBySms(from: string): Promise<string> {
  await sms(from, "OFFER");
  await sms(from, "yes");
  await sms(from, "2 4");
  await sms(from, "I could teach cooking and drive");
  await sms(from, "3");
  return sms(from, "ST6 1AA");
}

/** The directory id of the group named in "n. Ask <name> to contact me". */
async function groupAt(reply: string, n: number): Promise<{ id: string; name: string }> {
  const name = new RegExp(`${n}\\. Ask (.+?) to contact me`).exec(reply)![1]!;
  const service = await h.services.prisma.service.findFirstOrThrow({ where: { name } });
  return { id: service.id, name };
}

/** A partner account for a group, signed in, with its API token. */
async function groupAccount(name: string, groupId: string): Promise<{ browser: DashboardClient; token: string }> {
  const { token } = await h.services.partners.create(name, [], { groupId });
  const browser = new DashboardClient(h.app);
  await browser.signIn(token);
  return { browser, token };
}

async function api(token: string, path: string, body?: unknown): Promise<Response> {
  return h.app.request(`https://placevoice.example.org${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function reply(browser: DashboardClient, relayId: string, text: string): Promise<Response> {
  // The session's own CSRF token, from any of its pages with a form (the insight page's sign-out).
  const { html } = await browser.page("/dashboard");
  return browser.post(`/dashboard/relays/${relayId}/reply`, { csrf: csrfOf(html), text });
}

const relayIdIn = (html: string) => /data-relay="([^"]+)"/.exec(html)?.[1];

beforeAll(async () => {
  h = await startHarness();
  h.clock.set("2026-11-24T12:00:00Z");
  const op = await h.services.partners.create("Engagement team", [], { role: "operator" });
  operator = new DashboardClient(h.app);
  operatorToken = op.token;
  await operator.signIn(op.token);
});

afterAll(async () => {
  await h?.close();
});

describe("a warm handoff over SMS", () => {
  it("offer, ask one group, the group sees only the offer and writes; the resident answers, MYDATA, STOP, DELETE", async () => {
    const resident = `+447700${phone++}`;
    const groups = await offerBySms(resident);
    expect(groups).toContain("These local groups would welcome your help");
    expect(groups).toContain("Would you like one of them to get in touch?");
    const first = await groupAt(groups, 1);
    const second = await groupAt(groups, 2);
    const asked = await groupAccount(`${first.name} volunteers`, first.id);
    const other = await groupAccount(`${second.name} volunteers`, second.id);

    // Shown is not consent: neither group sees anything yet.
    expect((await asked.browser.page("/dashboard/relays")).html).toContain('data-testid="no-relays"');
    expect(await (await api(asked.token, "/api/v1/relays")).json()).toEqual({ relays: [] });

    expect(await sms(resident, "1")).toContain(`We've asked ${first.name} to get in touch.`);
    const view = (await asked.browser.page("/dashboard/relays")).html;
    expect(view).toContain("A skill, Lifts in ST6");
    expect(view).toContain("When: Weekends.");
    expect(view).not.toContain(resident);
    expect(view).not.toContain(resident.slice(1));
    expect(view).not.toContain("teach cooking");
    const relayId = relayIdIn(view)!;
    const listed = (await (await api(asked.token, "/api/v1/relays")).json()) as { relays: unknown[] };
    expect(listed.relays).toEqual([
      expect.objectContaining({
        id: relayId,
        status: "open",
        offer: { area: "ST6", what: ["A skill", "Lifts"], when: "Weekends" },
      }),
    ]);
    expect(JSON.stringify(listed)).not.toMatch(/7700|address|phone|contact/i);
    // The group not asked sees nothing, and cannot reach the relay by its id.
    expect((await other.browser.page("/dashboard/relays")).html).not.toContain(relayId);
    expect((await api(other.token, `/api/v1/relays/${relayId}/messages`, { text: "Hello from us" })).status).toBe(404);
    expect((await reply(other.browser, relayId, "Hello from us")).status).toBe(404);

    // The group writes from its view; the resident gets it by SMS from the outbox.
    const sent = await reply(asked.browser, relayId, "Hi! Could you drive our minibus on Saturdays?");
    expect(sent.status).toBe(200);
    expect(await sent.text()).toContain('data-testid="sent"');
    await drain();
    expect(smsTo(resident).at(-1)).toContain(
      `${first.name} says: Hi! Could you drive our minibus on Saturdays?\n\nReply here to answer.`,
    );

    // The resident answers: it goes back to the group's view.
    expect(await sms(resident, "Yes, Saturday mornings are good")).toBe(`Sent to ${first.name}.`);
    expect((await asked.browser.page("/dashboard/relays")).html).toContain("Yes, Saturday mornings are good");

    // MYDATA lists the group the offer went to.
    expect(await sms(resident, "MYDATA")).toContain(
      `Groups your offer went to (you asked them to get in touch):\n- ${first.name}: they can message you`,
    );

    // STOP ends the relay: the group can send nothing more.
    await sms(resident, "STOP");
    expect((await asked.browser.page("/dashboard/relays")).html).toContain("ended: the resident sent STOP");
    const refused = await api(asked.token, `/api/v1/relays/${relayId}/messages`, { text: "Are you still there?" });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { message: string }).message).toContain("ended the conversation");
    await drain();
    expect(smsTo(resident).join("\n")).not.toContain("Are you still there?");

    // DELETE leaves nothing in the group's view.
    await sms(resident, "START");
    await sms(resident, "DELETE YES");
    const after = (await asked.browser.page("/dashboard/relays")).html;
    expect(after).not.toContain(relayId);
    expect(after).toContain('data-testid="no-relays"');
    expect(await h.services.prisma.relay.count({ where: { id: relayId } })).toBe(0);
    expect(await h.services.prisma.relayMessage.count({ where: { relayId } })).toBe(0);
    expect((await api(asked.token, `/api/v1/relays/${relayId}/messages`, { text: "Hello?" })).status).toBe(404);
  });
});

/** A resident offers lifts on Telegram from ST6, with buttons; returns the message listing the groups and its buttons. */
async function offerByTelegram(
  chat: number,
): Promise<{ text: string; buttons: { text: string; callback_data: string }[]; messageId: number }> {
  const post = (update: unknown) => h.telegramUpdate(update);
  await post(textUpdate(chat, "/offer"));
  await post(textUpdate(chat, "yes"));
  await post(textUpdate(chat, "4"));
  await post(textUpdate(chat, "skip"));
  await post(textUpdate(chat, "weekdays"));
  await post(textUpdate(chat, "ST6 1AA"));
  const calls = h.telegram.callsOf("sendMessage");
  const ask = calls
    .filter((c) => Number(c.params.chat_id) === chat)
    .find((c) => String(c.params.text).includes("Would you like one of them to get in touch?"))!;
  const markup = ask.params.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] };
  return {
    text: String(ask.params.text),
    buttons: markup.inline_keyboard.flat(),
    messageId: 1000 + calls.indexOf(ask),
  };
}

describe("a warm handoff on Telegram", () => {
  it("a button asks the group; the group writes by API; the resident answers, then says no thanks", async () => {
    const chat = 71_990_001;
    const offered = await offerByTelegram(chat);
    expect(offered.buttons.length).toBeGreaterThan(1);
    const button = offered.buttons[0]!;
    const name = /^Ask (.+) to contact me$/.exec(button.text)![1]!;
    const service = await h.services.prisma.service.findFirstOrThrow({ where: { name } });
    const group = await groupAccount(`${name} (Telegram test)`, service.id);

    await h.telegramUpdate(callbackUpdate(chat, offered.messageId, button.callback_data));
    const answer = h.telegram.callsOf("sendMessage").at(-1)!;
    expect(String(answer.params.text)).toContain(`We've asked ${name} to get in touch.`);
    expect(String(answer.params.text)).toContain("Would you like another of them to get in touch too?");
    // The other groups come back as buttons; the one asked does not.
    const again = (answer.params.reply_markup as { inline_keyboard: { text: string }[][] }).inline_keyboard.flat();
    expect(again.map((b) => b.text)).toEqual(offered.buttons.slice(1).map((b) => b.text));
    const { relays } = (await (await api(group.token, "/api/v1/relays")).json()) as {
      relays: { id: string; offer: unknown }[];
    };
    const relay = relays.find((r) => JSON.stringify(r.offer).includes("Lifts"))!;
    expect(relay.offer).toEqual({ area: "ST6", what: ["Lifts"], when: "Weekdays" });
    expect(JSON.stringify(relays)).not.toContain(String(chat));

    const queued = await api(group.token, `/api/v1/relays/${relay.id}/messages`, {
      text: "Could you do a school run?",
    });
    expect(queued.status).toBe(202);
    await drain();
    expect(h.telegram.textsTo(chat).at(-1)).toContain(`${name} says: Could you do a school run?`);

    await h.telegramUpdate(textUpdate(chat, "Tuesdays only"));
    expect(h.telegram.textsTo(chat).at(-1)).toBe(`Sent to ${name}.`);
    expect(JSON.stringify(await (await api(group.token, "/api/v1/relays")).json())).toContain("Tuesdays only");

    // Withdrawn by message: the group can send nothing more.
    await h.telegramUpdate(textUpdate(chat, "No thanks"));
    expect(h.telegram.textsTo(chat).at(-1)).toBe(`OK. ${name} cannot message you any more.`);
    const refused = await api(group.token, `/api/v1/relays/${relay.id}/messages`, { text: "Please?" });
    expect(refused.status).toBe(409);
    expect((await group.browser.page("/dashboard/relays")).html).toContain("ended: the resident said no thanks");
    // What the resident writes now is not relayed: it starts an ordinary conversation.
    await h.telegramUpdate(textUpdate(chat, "hello"));
    expect(JSON.stringify(await (await api(group.token, "/api/v1/relays")).json())).not.toContain("hello");

    // DELETE leaves nothing for the group.
    await h.telegramUpdate(textUpdate(chat, "DELETE YES"));
    expect(await (await api(group.token, "/api/v1/relays")).json()).toEqual({ relays: [] });
  });
});

describe("operators stay in control", () => {
  /** A resident who asked the first group shown; returns the group's account and the relay. */
  async function openRelay(): Promise<{
    resident: string;
    group: { browser: DashboardClient; token: string };
    groupId: string;
    name: string;
    relayId: string;
  }> {
    const resident = `+447700${phone++}`;
    const groups = await offerBySms(resident);
    const first = await groupAt(groups, 1);
    const group = await groupAccount(`${first.name} ${phone}`, first.id);
    await sms(resident, "CONTACT 1");
    const relay = await h.services.prisma.relay.findFirstOrThrow({
      where: { groupId: first.id, status: "open", contact: { channel: "sms" } },
      orderBy: { openedAt: "desc" },
    });
    expect((await group.browser.page("/dashboard/relays")).html).toContain(`data-relay="${relay.id}"`);
    return { resident, group, groupId: first.id, name: first.name, relayId: relay.id };
  }

  it("a resident gets at most RELAY_WEEKLY_LIMIT (3) messages from groups in a week; the group is told why", async () => {
    const { resident, group, relayId } = await openRelay();
    for (const n of [1, 2, 3])
      expect((await api(group.token, `/api/v1/relays/${relayId}/messages`, { text: `Message ${n}` })).status).toBe(202);
    const fourth = await api(group.token, `/api/v1/relays/${relayId}/messages`, { text: "Message 4" });
    expect(fourth.status).toBe(429);
    expect(await fourth.json()).toEqual({ error: "weekly_limit", message: expect.stringContaining("this week") });
    const page = await reply(group.browser, relayId, "Message 4 again");
    expect(page.status).toBe(429);
    expect(await page.text()).toContain("as many messages from local groups this week as we allow");
    await drain();
    expect(smsTo(resident).filter((t) => t.includes("says: Message"))).toHaveLength(3);
    // A week later the resident can hear from groups again.
    h.clock.advance(7 * 24 * 3_600_000 + 60_000);
    expect((await api(group.token, `/api/v1/relays/${relayId}/messages`, { text: "Message 5" })).status).toBe(202);
  });

  it("a group's message at night waits for the end of quiet hours", async () => {
    const { resident, group, relayId } = await openRelay();
    h.clock.set("2026-12-01T22:30:00Z");
    const queued = (await (
      await api(group.token, `/api/v1/relays/${relayId}/messages`, { text: "Late note" })
    ).json()) as { sendFrom: string };
    expect(queued.sendFrom).toBe("2026-12-02T09:00:00.000Z");
    await drain();
    expect(smsTo(resident).join("\n")).not.toContain("Late note");
    h.clock.set("2026-12-02T09:01:00Z");
    await drain();
    expect(smsTo(resident).at(-1)).toContain("says: Late note");
  });

  it("an operator suspends a group from the dashboard: it can send nothing, residents cannot ask it, until resumed", async () => {
    const { resident, group, groupId, name, relayId } = await openRelay();
    await operator.signIn(operatorToken);
    const admin = (await operator.page("/dashboard/admin/relays")).html;
    expect(admin).toContain(`data-group="${groupId}"`);
    expect(admin).not.toContain(resident.slice(1));
    // Without the CSRF token, and from a partner account, the form does nothing.
    expect((await operator.post("/dashboard/admin/relays/suspend", { group: groupId })).status).toBe(403);
    const partnerCsrf = csrfOf((await group.browser.page("/dashboard")).html);
    expect(
      (await group.browser.post("/dashboard/admin/relays/suspend", { csrf: partnerCsrf, group: groupId })).status,
    ).toBe(403);
    expect(await h.services.relayStore.suspended(groupId)).toBe(false);

    const done = await operator.post("/dashboard/admin/relays/suspend", { csrf: csrfOf(admin), group: groupId });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain(`${groupId} is suspended`);
    const refused = await api(group.token, `/api/v1/relays/${relayId}/messages`, { text: "Hello" });
    expect(refused.status).toBe(403);
    expect((await group.browser.page("/dashboard/relays")).html).toContain('data-testid="suspended"');
    expect(((await refused.json()) as { message: string }).message).toContain("suspended by the operator");
    // A resident shown the group cannot open a relay to it meanwhile.
    const another = `+447700${phone++}`;
    const shown = await offerBySms(another);
    const position = new RegExp(`(\\d)\\. Ask ${name} to contact me`).exec(shown)![1]!;
    expect(await sms(another, position)).toBe(
      `Sorry, ${name} cannot be reached through us just now. You can still contact them yourself.`,
    );

    const page = (await operator.page("/dashboard/admin/relays")).html;
    expect((await operator.post("/dashboard/admin/relays/resume", { csrf: csrfOf(page), group: groupId })).status).toBe(
      200,
    );
    expect((await api(group.token, `/api/v1/relays/${relayId}/messages`, { text: "Hello again" })).status).toBe(202);
  });

  it("an operator links an account to its group from the dashboard; a partner without a group sees why", async () => {
    const { token } = await h.services.partners.create("Fenton volunteers desk", []);
    const desk = new DashboardClient(h.app);
    await desk.signIn(token);
    await operator.signIn(operatorToken);
    expect((await desk.page("/dashboard/relays")).html).toContain("not linked to a local group");
    expect((await api(token, "/api/v1/relays")).status).toBe(403);
    const partnerId = (await h.services.partners.list()).find((p) => p.name === "Fenton volunteers desk")!.id;
    const admin = (await operator.page("/dashboard/admin/relays")).html;
    expect(
      (await operator.post("/dashboard/admin/relays/link", { partner: partnerId, group: "fenton-community-centre" }))
        .status,
    ).toBe(403);
    const linked = await operator.post("/dashboard/admin/relays/link", {
      csrf: csrfOf(admin),
      partner: partnerId,
      group: "fenton-community-centre",
    });
    expect(await linked.text()).toContain("Fenton volunteers desk now speaks for fenton-community-centre.");
    expect((await api(token, "/api/v1/relays")).status).toBe(200);
  });

  it("a group cannot reach relays it was not asked about: guessed ids, other groups' ids, bad input", async () => {
    const { group, relayId } = await openRelay();
    const stranger = await groupAccount("Stranger group", "hanley-park-volunteers");
    for (const id of [relayId, "1", "relay-1", "../relays", relayId.toUpperCase(), "x".repeat(65)]) {
      const response = await api(stranger.token, `/api/v1/relays/${encodeURIComponent(id)}/messages`, { text: "Hi" });
      expect(response.status).toBe(404);
    }
    expect(JSON.stringify(await (await api(stranger.token, "/api/v1/relays")).json())).not.toContain(relayId);
    // The page form needs the session's CSRF token.
    expect((await group.browser.post(`/dashboard/relays/${relayId}/reply`, { text: "No token" })).status).toBe(403);
    // Bad bodies are 4xx, never 5xx.
    for (const body of ["not json", "[]", "{}", '{"text": 5}']) {
      const response = await h.app.request(`https://placevoice.example.org/api/v1/relays/${relayId}/messages`, {
        method: "POST",
        headers: { Authorization: `Bearer ${group.token}`, "Content-Type": "application/json" },
        body,
      });
      expect(response.status).toBe(400);
    }
    expect((await api(group.token, `/api/v1/relays/${relayId}/messages`, { text: "   " })).status).toBe(400);
    expect((await api(group.token, `/api/v1/relays/${relayId}/messages`, { text: "x".repeat(241) })).status).toBe(400);
    expect((await api("pv_notatokenatallnotatokenatall", "/api/v1/relays")).status).toBe(401);
  });

  it("retention deletes what a resident and a group wrote each other after RETENTION_DAYS", async () => {
    const { resident, group, relayId } = await openRelay();
    await api(group.token, `/api/v1/relays/${relayId}/messages`, { text: "Old news" });
    await sms(resident, "Old reply");
    const later = new Date(h.clock.now().getTime() + 731 * 86_400_000);
    const dry = await runRetention(h.services.prisma, { now: later, retentionDays: 730, dryRun: true });
    expect(dry.relayMessagesDeleted).toBeGreaterThanOrEqual(2);
    expect(await h.services.prisma.relayMessage.count({ where: { relayId } })).toBe(2);
    await runRetention(h.services.prisma, { now: later, retentionDays: 730, dryRun: false });
    expect(await h.services.prisma.relayMessage.count({ where: { relayId } })).toBe(0);
    expect(await h.services.prisma.relayMessage.count()).toBe(0);
  });

  it("the privacy notice says what a group sees, in English and Welsh", async () => {
    expect(await (await h.app.request("/privacy")).text()).toContain(
      "A local group sees what you could offer, when, and your area only if you ask that group to get in touch, never your number",
    );
    expect(await (await h.app.request("/privacy?lang=cy")).text()).toContain("byth eich rhif");
  });

  it("every relayed message is audited (who, when, which relay), never its text; logs hold no text or number", async () => {
    const { resident, group, relayId } = await openRelay();
    await api(group.token, `/api/v1/relays/${relayId}/messages`, { text: "Secret plan for Tuesday" });
    await sms(resident, "Tuesday at the hall is fine");
    const entries = await h.services.prisma.auditEntry.findMany({ where: { action: "relay.message" } });
    const mine = entries.filter((e) => e.detail.includes(relayId));
    const partner = (await h.services.partners.authenticate(group.token))!;
    expect(mine.map((e) => e.actor).sort()).toEqual([partner.id, "resident"].sort());
    // Opening, refusals, no thanks and STOP are audited too, by relay.
    await sms(resident, "no thanks");
    await api(group.token, `/api/v1/relays/${relayId}/messages`, { text: "After no thanks" });
    const actions = (await h.services.prisma.auditEntry.findMany()).filter((e) => e.detail.includes(relayId));
    expect(actions.map((e) => e.action)).toEqual(
      expect.arrayContaining(["relay.open", "relay.message", "relay.declined", "relay.refused"]),
    );
    expect(actions.find((e) => e.action === "relay.refused")!.detail).toContain('"reason":"ended"');
    const everything = JSON.stringify(await h.services.prisma.auditEntry.findMany()) + h.logs.join("\n");
    expect(everything).not.toContain("Secret plan");
    expect(everything).not.toContain("Tuesday at the hall");
    expect(everything).not.toContain(resident.slice(1));
  });
});
