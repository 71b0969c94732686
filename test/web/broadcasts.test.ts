// Broadcasts from the dashboard (/dashboard/admin/broadcasts): preview through the disclosure
// gate, quiet hours, start, delivery by the outbox under the fake platforms' limits, progress,
// cancel; operators only, CSRF-checked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { textUpdate } from "../support/fake-telegram.js";
import { HARNESS_RECORD_KEY, published, startHarness, type Harness } from "../support/channel-harness.js";
import { csrfOf, DashboardClient } from "../support/dashboard-client.js";

const ROOT = "/dashboard/admin/broadcasts";

async function seedContacts(h: Harness, count: number, options: { channel: string; area: string; first: number }) {
  const rows = [];
  for (let i = 0; i < count; i++) {
    const address =
      options.channel === "telegram"
        ? String(options.first + i)
        : `+4477009${String(options.first + i).padStart(5, "0")}`;
    rows.push({
      id: `${options.channel}-${options.first + i}`,
      channel: options.channel,
      addressHash: await h.services.addressCrypto.hash(options.channel, address),
      addressEnc: await h.services.addressCrypto.encrypt(address),
      language: "en",
      status: "active",
      consentVersion: "2026-11",
      recordKey: HARNESS_RECORD_KEY,
      area: options.area,
    });
  }
  await h.services.prisma.contact.createMany({ data: rows });
}

/** Sends everything due, as the running server's outbox loop does. */
async function drain(h: Harness, limit = 500): Promise<number> {
  let sent = 0;
  for (;;) {
    const pass = await h.services.dispatcher.runOnce(limit);
    sent += pass.sent;
    if (pass.sent + pass.retried + pass.dead + pass.skipped === 0) return sent;
  }
}

const cellOf = (html: string, status: string) => new RegExp(`data-status="${status}">([^<]+)<`).exec(html)?.[1];

/** The start form a preview page carries, as its fields. */
function startForm(html: string): Record<string, string> {
  const form = /<form method="post" action="\/dashboard\/admin\/broadcasts"[^>]*>([\s\S]*?)<\/form>/.exec(html)![1]!;
  return Object.fromEntries([...form.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

describe("broadcasts from the dashboard (Node)", () => {
  let h: Harness;
  let operator: DashboardClient;
  let partner: DashboardClient;
  const busyChat = 9000;

  beforeAll(async () => {
    h = await startHarness({ TWILIO_MAX_PER_SECOND: "10", QUIET_HOURS: "21:00-09:00", TIMEZONE: "Europe/London" });
    h.clock.set("2026-11-24T12:00:00Z");
    await seedContacts(h, 14, { channel: "telegram", area: "ST6", first: 1000 });
    await seedContacts(h, 3, { channel: "telegram", area: "ST3", first: 2000 });
    await seedContacts(h, 24, { channel: "sms", area: "ST6", first: 3000 });
    // One resident in ST6 is in the middle of a conversation.
    await h.telegramUpdate(textUpdate(busyChat, "/start"));
    await h.services.prisma.contact.updateMany({
      where: { channel: "telegram", consentVersion: null },
      data: { consentVersion: "2026-11", area: "ST6" },
    });
    operator = new DashboardClient(h.app);
    await operator.signIn((await h.services.partners.create("Platform team", [], { role: "operator" })).token);
    partner = new DashboardClient(h.app);
    await partner.signIn((await h.services.partners.create("Burslem Pantry", ["ST6"])).token);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("a partner is refused the page and the action, and the refusal is audited", async () => {
    expect((await partner.page(ROOT)).status).toBe(403);
    const refused = await partner.post(ROOT, {
      csrf: "not-checked-before-the-role",
      id: "b-partner",
      flow: "feedback",
      areas: "ST6",
      channel: "telegram",
    });
    expect(refused.status).toBe(403);
    expect(await h.services.prisma.outboxMessage.count({ where: { kind: "broadcast" } })).toBe(0);
    const audit = await h.services.partners.recentAudit(10);
    expect(audit.filter((a) => a.action === "denied: admin view").length).toBeGreaterThanOrEqual(2);
  });

  it("previews the audience through the gate, and says when quiet hours hold it back", async () => {
    const preview = await operator.page(`${ROOT}?flow=feedback&areas=ST6&channel=telegram`);
    expect(preview.status).toBe(200);
    // 14 seeded and the resident mid-conversation: all consented, all in ST6.
    expect(preview.html).toContain(`Residents it would reach: <strong>${published(15)}</strong>`);
    expect(preview.html).toContain("sending would start now");
    const small = await operator.page(`${ROOT}?flow=feedback&areas=ST3&channel=telegram`);
    expect(small.html).toContain("Residents it would reach: <strong>fewer than 10</strong>");
    expect(small.html).not.toMatch(/reach: <strong>3</);
    const bad = await operator.page(`${ROOT}?flow=feedback&areas=Burslem`);
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("Not postcode districts: BURSLEM.");

    h.clock.set("2026-11-24T22:30:00Z");
    const nightShift = new DashboardClient(h.app);
    await nightShift.signIn((await h.services.partners.create("Night operator", [], { role: "operator" })).token);
    const night = await nightShift.page(`${ROOT}?flow=feedback&areas=ST6&channel=telegram`);
    expect(night.html).toContain("Quiet hours (21:00-09:00 Europe/London): sending would start 2026-11-25 09:00 UTC.");
    h.clock.set("2026-11-24T12:00:00Z");
  });

  it("refuses a start without the CSRF token", async () => {
    const preview = await operator.page(`${ROOT}?flow=feedback&areas=ST6&channel=telegram`);
    const { csrf: _csrf, ...fields } = startForm(preview.html);
    const response = await operator.post(ROOT, fields);
    expect(response.status).toBe(403);
    expect(await h.services.prisma.outboxMessage.count({ where: { kind: "broadcast" } })).toBe(0);
  });

  it("starts, leaves the resident mid-conversation alone, is sent within Telegram's limits and shows progress", async () => {
    const busyHash = await h.services.addressCrypto.hash("telegram", String(busyChat));
    const busy = await h.services.prisma.contact.findFirstOrThrow({ where: { addressHash: busyHash } });
    const busyBefore = await h.services.prisma.session.findUniqueOrThrow({ where: { contactId: busy.id } });
    const preview = await operator.page(`${ROOT}?flow=feedback&areas=ST6&channel=telegram`);
    const fields = startForm(preview.html);
    const started = await operator.post(ROOT, fields);
    expect(started.status).toBe(303);
    const progressUrl = started.headers.get("Location")!;
    expect(progressUrl).toBe(`${ROOT}/${fields.id}`);
    // Posting the same form again (a double click) queues nothing new.
    expect((await operator.post(ROOT, fields)).status).toBe(303);
    const queued = await h.services.prisma.outboxMessage.findMany({ where: { kind: "broadcast" } });
    expect(queued).toHaveLength(14);
    expect(queued.some((m) => m.contactId === busyBefore.contactId)).toBe(false);
    const busyAfter = await h.services.prisma.session.findUniqueOrThrow({ where: { contactId: busyBefore.contactId } });
    expect(busyAfter.version).toBe(busyBefore.version);

    const waiting = await operator.page(progressUrl);
    expect(cellOf(waiting.html, "pending")).toBe(String(published(14)));
    expect(cellOf(waiting.html, "sent")).toBe("fewer than 10");

    const callsBefore = h.telegram.callsOf("sendMessage").length;
    expect(await drain(h)).toBe(14);
    const sends = h.telegram.callsOf("sendMessage").slice(callsBefore);
    expect(h.telegram.refused).toHaveLength(0);
    const chats = new Set(sends.map((c) => Number(c.params.chat_id)));
    expect(chats.size).toBe(14);
    expect(chats.has(busyChat)).toBe(false);
    expect(sends.every((c) => String(c.params.text).includes("how easy was it to take part?"))).toBe(true);

    const done = await operator.page(progressUrl);
    expect(cellOf(done.html, "sent")).toBe(String(published(14)));
    expect(cellOf(done.html, "pending")).toBe("fewer than 10");
    expect(done.html).not.toContain("Cancel what is not yet sent");
    const list = await operator.page(ROOT);
    expect(list.html).toContain(`href="${progressUrl}"`);
    const actions = (await h.services.partners.recentAudit(50)).map((a) => a.action);
    expect(actions).toContain("admin.broadcast.start");
    expect(actions).toContain("admin.broadcast.progress");
  });

  it("cancel: what is not yet sent is never sent, and the conversations it started for those residents end", async () => {
    const preview = await operator.page(`${ROOT}?flow=feedback&areas=ST6&channel=sms`);
    expect(preview.html).toContain(`Residents it would reach: <strong>${published(24)}</strong>`);
    const fields = startForm(preview.html);
    const progressUrl = (await operator.post(ROOT, fields)).headers.get("Location")!;
    const key = { gte: `broadcast:${fields.id}:`, lt: `broadcast:${fields.id};` };
    expect(await h.services.prisma.outboxMessage.count({ where: { idempotencyKey: key } })).toBe(24);

    // Half go before the operator cancels (the outbox takes 12, within Twilio's 10 a second).
    const smsBefore = h.twilio.sent.length;
    expect((await h.services.dispatcher.runOnce(12)).sent).toBe(12);
    const page = await operator.page(progressUrl);
    const cancel = await operator.post(`${progressUrl}/cancel`, { csrf: csrfOf(page.html) });
    expect(cancel.status).toBe(303);

    expect(await drain(h)).toBe(0);
    expect(h.twilio.sent.length - smsBefore).toBe(12);
    expect(h.twilio.refused).toHaveLength(0);
    const rows = await h.services.prisma.outboxMessage.findMany({ where: { idempotencyKey: key } });
    expect(rows.filter((r) => r.status === "sent")).toHaveLength(12);
    expect(rows.filter((r) => r.status === "cancelled")).toHaveLength(12);
    // The residents it reached keep their conversation; the others are not asked a question they never got.
    const sessions = await h.services.prisma.session.findMany({
      where: { contactId: { in: rows.map((r) => r.contactId) } },
    });
    expect(new Set(sessions.map((s) => s.contactId))).toEqual(
      new Set(rows.filter((r) => r.status === "sent").map((r) => r.contactId)),
    );

    const after = await operator.page(`${progressUrl}?cancelled`);
    expect(after.html).toContain("Cancelled: what was not yet sent will not be.");
    expect(cellOf(after.html, "sent")).toBe(String(published(12)));
    expect(cellOf(after.html, "cancelled")).toBe(String(published(12)));
    expect((await h.services.partners.recentAudit(5)).map((a) => a.action)).toContain("admin.broadcast.cancel");
  });

  it("cancel leaves a message a sender holds a live lease on, and keeps a cancelled one cancelled when a late sender fails it", async () => {
    await seedContacts(h, 3, { channel: "telegram", area: "ST7", first: 7000 });
    const preview = await operator.page(`${ROOT}?flow=feedback&areas=ST7&channel=telegram`);
    const fields = startForm(preview.html);
    const progressUrl = (await operator.post(ROOT, fields)).headers.get("Location")!;
    const key = { gte: `broadcast:${fields.id}:`, lt: `broadcast:${fields.id};` };
    const now = h.services.now();
    // One is claimed by a sender still within its lease; one by a sender whose lease ran out.
    const [live] = await h.services.outbox.claimDue(now, 1, 60_000);
    const [lapsed] = await h.services.outbox.claimDue(now, 1, 0);
    const page = await operator.page(progressUrl);
    expect((await operator.post(`${progressUrl}/cancel`, { csrf: csrfOf(page.html) })).status).toBe(303);
    const status = async (id: string) =>
      (await h.services.prisma.outboxMessage.findUniqueOrThrow({ where: { id } })).status;
    expect(await status(live!.id)).toBe("sending");
    expect(await status(lapsed!.id)).toBe("cancelled");
    // The sender that lost its lease fails late: the message is not put back in the queue.
    await h.services.outbox.reschedule(lapsed!.id, 1, "timeout", now);
    expect(await status(lapsed!.id)).toBe("cancelled");
    expect(await drain(h)).toBe(0);
    const rows = await h.services.prisma.outboxMessage.findMany({ where: { idempotencyKey: key } });
    expect(rows.map((r) => r.status).sort()).toEqual(["cancelled", "cancelled", "sending"]);
  });

  it("a cancel without the CSRF token is refused", async () => {
    const response = await operator.post(`${ROOT}/b-anything/cancel`, {});
    expect(response.status).toBe(403);
  });
});
