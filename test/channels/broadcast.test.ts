// Broadcasts: who gets them, quiet hours, no double sending, and pacing against the platform.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueBroadcastPage, queueNextBroadcastPage, runBroadcast } from "../../src/conversation/broadcast.js";
import { isQuiet, nextSendTime } from "../../src/conversation/quiet-hours.js";
import { startHarness, type Harness } from "../support/channel-harness.js";

const quietHours = { start: "21:00", end: "09:00" };

describe("quiet hours (Europe/London)", () => {
  it.each([
    ["2026-11-23T20:59:00Z", false, "2026-11-23T20:59:00.000Z"], // GMT in winter
    ["2026-11-23T21:00:00Z", true, "2026-11-24T09:00:00.000Z"],
    ["2026-11-24T03:15:00Z", true, "2026-11-24T09:00:00.000Z"],
    ["2026-11-24T09:00:00Z", false, "2026-11-24T09:00:00.000Z"],
    ["2026-07-01T20:30:00Z", true, "2026-07-02T08:00:00.000Z"], // BST: 21:30 local, morning is 08:00Z
    ["2026-03-28T22:00:00Z", true, "2026-03-29T08:00:00.000Z"], // the night the clocks go forward
  ])("%s: quiet=%s, send from %s", (at, quiet, from) => {
    expect(isQuiet(new Date(at), quietHours, "Europe/London")).toBe(quiet);
    expect(nextSendTime(new Date(at), quietHours, "Europe/London").toISOString()).toBe(from);
  });
});

async function seedContacts(
  h: Harness,
  count: number,
  options: { channel: string; area?: string; status?: string; consent?: boolean; firstChat?: number },
) {
  const rows = [];
  for (let i = 0; i < count; i++) {
    const address =
      options.channel === "telegram"
        ? String((options.firstChat ?? 100_000) + i)
        : `+4477009${String(10_000 + i).padStart(5, "0")}`;
    rows.push({
      id: `${options.channel}-${options.firstChat ?? 0}-${String(i).padStart(5, "0")}`,
      channel: options.channel,
      addressHash: await h.services.addressCrypto.hash(options.channel, address),
      addressEnc: await h.services.addressCrypto.encrypt(address),
      language: "en",
      status: options.status ?? "active",
      consentVersion: options.consent === false ? null : "2026-11",
      area: options.area ?? "ST6",
    });
  }
  await h.services.prisma.contact.createMany({ data: rows });
  return rows;
}

/** What a broadcast needs from the harness's services, in quiet hours of 21:00-09:00 London time. */
const broadcastDeps = (h: Harness) => ({
  store: h.services.store,
  conversation: h.services.conversation,
  renderers: h.services.renderers,
  quietHours,
  timezone: "Europe/London",
  now: h.services.now,
});

describe("broadcast audience and queueing", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("reaches only active, consented contacts in the area, never twice, and waits for the morning", async () => {
    // Half past ten at night, for the resident mid-conversation, the broadcast and the dispatcher alike.
    h.clock.set("2026-11-23T22:30:00Z");
    await seedContacts(h, 5, { channel: "telegram", area: "ST6", firstChat: 1000 });
    await seedContacts(h, 2, { channel: "telegram", area: "ST6", firstChat: 2000, status: "stopped" });
    await seedContacts(h, 2, { channel: "telegram", area: "ST6", firstChat: 3000, consent: false });
    await seedContacts(h, 3, { channel: "telegram", area: "ST3", firstChat: 4000 });
    // One resident is in the middle of a conversation: not interrupted.
    const busyChat = 5000;
    await h.telegramUpdate((await import("../support/fake-telegram.js")).textUpdate(busyChat, "/start"));
    await h.services.prisma.contact.updateMany({
      where: { channel: "telegram", consentVersion: null, status: "active", area: null },
      data: { consentVersion: "2026-11", area: "ST6" },
    });

    const deps = broadcastDeps(h);
    const report = await runBroadcast({ id: "feedback-st6", flowId: "feedback", area: "ST6" }, deps);
    expect(report).toMatchObject({ matched: 6, queued: 5, busy: 1, alreadyQueued: 0, noChannel: 0 });
    expect(report.sendFrom.toISOString()).toBe("2026-11-24T09:00:00.000Z");
    const queued = await h.services.prisma.outboxMessage.findMany({ where: { kind: "broadcast" } });
    expect(queued).toHaveLength(5);
    expect(queued.every((m) => m.nextAttemptAt.toISOString() === "2026-11-24T09:00:00.000Z")).toBe(true);
    // Consent was given earlier, so the feedback flow goes straight to its first question.
    expect(JSON.parse(queued[0]!.payload).text).toContain("From 1 to 5, how easy was it to take part?");

    // Nothing is due at night.
    expect((await h.services.dispatcher.runOnce()).sent).toBe(0);
    // Running the same broadcast again queues nothing new.
    const again = await runBroadcast({ id: "feedback-st6", flowId: "feedback", area: "ST6" }, deps);
    expect(again).toMatchObject({ queued: 0, alreadyQueued: 5 });
    expect(await h.services.prisma.outboxMessage.count({ where: { kind: "broadcast" } })).toBe(5);
    // Still nothing a minute before nine; at nine in the morning all five go.
    h.clock.set("2026-11-24T08:59:00Z");
    expect((await h.services.dispatcher.runOnce()).sent).toBe(0);
    h.clock.set("2026-11-24T09:00:00Z");
    expect((await h.services.dispatcher.runOnce()).sent).toBe(5);
  });
});

describe("a broadcast queued a page at a time (Workers)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    h.clock.set("2026-11-24T12:00:00Z");
  });
  afterAll(async () => {
    await h.close();
  });
  const deps = () => ({
    ...broadcastDeps(h),
    queues: h.services.broadcastQueues,
    cancel: (id: string) => h.services.outbox.cancelBroadcast(id, h.services.now()),
  });
  const queuedFor = async (id: string) =>
    (
      await h.services.prisma.outboxMessage.findMany({
        where: { idempotencyKey: { startsWith: `broadcast:${id}:` } },
        select: { contactId: true, status: true },
      })
    ).map((m) => m.contactId);

  it("goes through every area in turn, page by page, each resident once, a page run twice changing nothing", async () => {
    const st7 = await seedContacts(h, 5, { channel: "telegram", area: "ST7", firstChat: 7000 });
    const st8 = await seedContacts(h, 4, { channel: "telegram", area: "ST8", firstChat: 8000 });
    const plan = { id: "paged", flowId: "feedback", areas: ["ST7", "ST8"] };
    const first = await queueBroadcastPage(plan, { areaIndex: 0 }, deps(), 3);
    expect(first.report.queued).toBe(3);
    expect(first.next).toEqual({ areaIndex: 0, afterId: st7[2]!.id });
    await h.services.broadcastQueues.add(plan, first.next!);
    // The page that crosses from the first area into the second.
    expect(await queueNextBroadcastPage("paged", deps(), 3)).toMatchObject({ report: { queued: 3 }, more: true });
    expect((await h.services.broadcastQueues.next("paged"))?.cursor).toEqual({ areaIndex: 1, afterId: st8[0]!.id });
    // A page run again from an old cursor (a run that died before moving it) finds them queued.
    const again = await queueBroadcastPage(plan, first.next!, deps(), 3);
    expect(again.report).toMatchObject({ queued: 0, alreadyQueued: 3 });
    // A full page cannot know it was the last: the next finds no one and ends the broadcast's paging.
    expect(await queueNextBroadcastPage("paged", deps(), 3)).toMatchObject({ report: { queued: 3 }, more: true });
    expect(await queueNextBroadcastPage("paged", deps(), 3)).toMatchObject({ report: { matched: 0 }, more: false });
    expect(await h.services.broadcastQueues.next("paged")).toBeUndefined();
    expect(await queueNextBroadcastPage("paged", deps(), 3)).toEqual({ more: false });
    const queued = await queuedFor("paged");
    expect(new Set(queued).size).toBe(queued.length);
    expect([...queued].sort()).toEqual([...st7, ...st8].map((c) => c.id).sort());
  });

  it("cancelled while a page is being queued: that page's messages are cancelled too, and no page follows", async () => {
    await seedContacts(h, 4, { channel: "telegram", area: "ST9", firstChat: 9100 });
    const plan = { id: "paged-cancel", flowId: "feedback", areas: ["ST9"] };
    const first = await queueBroadcastPage(plan, { areaIndex: 0 }, deps(), 2);
    await h.services.broadcastQueues.add(plan, first.next!);
    // The operator cancels (the dashboard forgets the queue, then cancels the outbox) while the next page is queued.
    const racing = {
      ...deps(),
      store: Object.assign(Object.create(h.services.store) as typeof h.services.store, {
        audience: async (query: Parameters<typeof h.services.store.audience>[0]) => {
          const page = await h.services.store.audience(query);
          await h.services.broadcastQueues.forget("paged-cancel");
          await h.services.outbox.cancelBroadcast("paged-cancel", h.services.now());
          return page;
        },
      }),
    };
    expect(await queueNextBroadcastPage("paged-cancel", racing, 2)).toMatchObject({ more: false });
    const statuses = await h.services.prisma.outboxMessage.findMany({
      where: { idempotencyKey: { startsWith: "broadcast:paged-cancel:" } },
      select: { status: true },
    });
    expect(statuses.length).toBeGreaterThanOrEqual(4);
    expect(statuses.every((m) => m.status === "cancelled")).toBe(true);
    expect(await h.services.broadcastQueues.next("paged-cancel")).toBeUndefined();
  });
});

describe("broadcast pacing against the Telegram Bot API", () => {
  let h: Harness;
  const perSecond = 200;
  beforeAll(async () => {
    h = await startHarness({ TELEGRAM_MAX_PER_SECOND: String(perSecond), TELEGRAM_MAX_PER_CHAT_PER_SECOND: "1" });
  });
  afterAll(async () => {
    await h.close();
  });

  it("sends to 1,000 chats within both limits while some calls get 429, each exactly once", async () => {
    await seedContacts(h, 1000, { channel: "telegram", firstChat: 10_000 });
    // Sent straight away: no quiet hours in this test, and the service's clock (the dispatcher's).
    const report = await runBroadcast(
      { id: "big", flowId: "feedback" },
      {
        store: h.services.store,
        conversation: h.services.conversation,
        renderers: h.services.renderers,
        quietHours: { start: "00:00", end: "00:00" },
        timezone: "Europe/London",
        now: h.services.now,
      },
    );
    expect(report.queued).toBe(1000);

    // Every 125th sendMessage call is refused with 429 (retry after 1 s).
    let calls = 0;
    h.telegram.intercept = (call) =>
      call.method === "sendMessage" && ++calls % 125 === 0
        ? {
            ok: false,
            error_code: 429,
            description: "Too Many Requests: retry after 1",
            parameters: { retry_after: 1 },
          }
        : undefined;

    const started = Date.now();
    for (;;) {
      await h.services.dispatcher.runOnce(500);
      const pending = await h.services.prisma.outboxMessage.count({
        where: { status: { in: ["pending", "sending"] } },
      });
      if (pending === 0) break;
      if (Date.now() - started > 60_000) throw new Error(`still ${pending} pending after 60 s`);
      await new Promise((r) => setTimeout(r, 100));
    }

    const sends = h.telegram.callsOf("sendMessage");
    const refused = sends.filter((_, i) => (i + 1) % 125 === 0).length;
    expect(refused).toBe(8);
    // Exactly one delivered message per chat.
    const delivered = new Map<number, number>();
    sends.forEach((c, i) => {
      if ((i + 1) % 125 !== 0)
        delivered.set(Number(c.params.chat_id), (delivered.get(Number(c.params.chat_id)) ?? 0) + 1);
    });
    expect(delivered.size).toBe(1000);
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
    expect(await h.services.prisma.outboxMessage.count({ where: { status: "sent" } })).toBe(1000);

    // No one-second window at the API holds more than the limit.
    const times = sends.map((c) => c.at).sort((a, b) => a - b);
    let worst = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 1000) j++;
      worst = Math.max(worst, i - j + 1);
    }
    expect(worst).toBeLessThanOrEqual(perSecond);
    // Per chat: a retried chat's second attempt came at least a second after the first.
    const byChat = new Map<number, number[]>();
    for (const c of sends)
      byChat.set(Number(c.params.chat_id), [...(byChat.get(Number(c.params.chat_id)) ?? []), c.at]);
    for (const list of byChat.values())
      for (let i = 1; i < list.length; i++) expect(list[i]! - list[i - 1]!).toBeGreaterThanOrEqual(1000);
    // The whole run respected the overall rate.
    expect((times.at(-1)! - times[0]!) / 1000).toBeGreaterThanOrEqual((sends.length - perSecond) / perSecond);
  }, 90_000);
});
