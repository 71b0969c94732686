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
import { DashboardClient, csrfOf } from "../support/dashboard-client.js";
import { callbackUpdate, textUpdate } from "../support/fake-telegram.js";
import { inboundSms } from "../support/fake-twilio.js";

let h: Harness;
let operator: DashboardClient;
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

function api(token: string, path: string, body?: unknown): Promise<Response> {
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
