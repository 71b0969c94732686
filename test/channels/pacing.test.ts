// Issue 22: a Telegram update is answered once its step is committed, its replies follow in
// order and paced, and a resident's reply goes ahead of a broadcast already queued. Real short
// timings (a 5-a-second limit, a slow fake Bot API); nothing here reads the date.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBroadcast } from "../../src/conversation/broadcast.js";
import { startHarness, type Harness } from "../support/channel-harness.js";
import { textUpdate } from "../support/fake-telegram.js";

const PER_SECOND = 5;
const BROADCAST = 20;
const FIRST_RECIPIENT = 600_000;

async function seedTelegramContacts(h: Harness, count: number) {
  const rows = [];
  for (let i = 0; i < count; i++) {
    const address = String(FIRST_RECIPIENT + i);
    rows.push({
      id: `pacing-${String(i).padStart(4, "0")}`,
      channel: "telegram",
      addressHash: await h.services.addressCrypto.hash("telegram", address),
      addressEnc: await h.services.addressCrypto.encrypt(address),
      language: "en",
      status: "active",
      consentVersion: "2026-11",
      area: "ST6",
    });
  }
  await h.services.prisma.contact.createMany({ data: rows });
}

/** The texts the outbox holds for a chat's contact, in the order they were committed. */
async function committedTexts(h: Harness, chatId: number): Promise<string[]> {
  const hash = await h.services.addressCrypto.hash("telegram", String(chatId));
  const contact = await h.services.prisma.contact.findFirstOrThrow({ where: { addressHash: hash } });
  const rows = await h.services.prisma.outboxMessage.findMany({
    where: { contactId: contact.id },
    orderBy: { id: "asc" },
  });
  return rows.map((r) => (JSON.parse(r.payload) as { text?: string }).text ?? "").filter((t) => t !== "");
}

describe("Telegram replies after the acknowledgement", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ TELEGRAM_MAX_PER_CHAT_PER_SECOND: "1" });
    h.clock.set("2026-11-24T12:00:00Z");
  });
  afterAll(async () => {
    await h.close();
  });

  it("answers the update before its reply reaches Telegram, then sends the replies in order, one a second", async () => {
    const chat = 424_242;
    h.telegram.delayMs = 1500;
    const started = performance.now();
    const answered = await h.telegramUpdateAnswered(textUpdate(chat, "/start"));
    const answeredAfter = performance.now() - started;
    expect(answered.status).toBe(200);
    // The Bot API takes 1.5 s over each call: the webhook did not wait for one.
    expect(answeredAfter).toBeLessThan(1500);
    await h.services.dispatcher.settled();
    h.telegram.delayMs = 0;
    const sent = h.telegram.textsTo(chat);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent).toEqual(await committedTexts(h, chat));
    expect(sent[0]).toContain("PlaceVoice");
    // And within the chat's limit: the fake refused nothing.
    expect(h.telegram.refused).toEqual([]);
  });
});

describe("replies before broadcasts", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ TELEGRAM_MAX_PER_SECOND: String(PER_SECOND), TELEGRAM_MAX_PER_CHAT_PER_SECOND: "1" });
    h.clock.set("2026-11-24T12:00:00Z");
  });
  afterAll(async () => {
    await h.close();
  });

  it("a resident's reply overtakes a broadcast already queued, within one send slot and the limits", async () => {
    await seedTelegramContacts(h, BROADCAST);
    const report = await runBroadcast(
      { id: "pacing-feedback", flowId: "feedback", area: "ST6" },
      {
        store: h.services.store,
        conversation: h.services.conversation,
        renderers: h.services.renderers,
        quietHours: { start: "00:00", end: "00:00" },
        timezone: "Europe/London",
        now: h.services.now,
      },
    );
    expect(report.queued).toBe(BROADCAST);
    const isBroadcast = (c: { params: Record<string, unknown> }) => Number(c.params.chat_id) >= FIRST_RECIPIENT;
    const broadcastCalls = () => h.telegram.callsOf("sendMessage").filter(isBroadcast).length;

    // The broadcast is under way: its first second's worth has gone, the rest wait for slots.
    const draining = h.services.dispatcher.drain();
    while (broadcastCalls() < PER_SECOND) await new Promise((r) => setTimeout(r, 10));

    const resident = 7_777;
    expect((await h.telegramUpdateAnswered(textUpdate(resident, "/start"))).status).toBe(200);
    const broadcastBeforeReply = broadcastCalls();
    await h.services.dispatcher.settled();
    const calls = h.telegram.callsOf("sendMessage");
    const firstReply = calls.findIndex((c) => Number(c.params.chat_id) === resident);
    const broadcastAheadOfReply = calls.slice(0, firstReply).filter(isBroadcast).length;
    // At most one broadcast send (one already granted its slot) got in between.
    expect(broadcastAheadOfReply - broadcastBeforeReply).toBeLessThanOrEqual(1);
    // The broadcast was still going: the reply overtook most of it.
    expect(BROADCAST - broadcastAheadOfReply).toBeGreaterThanOrEqual(BROADCAST - 2 * PER_SECOND);
    expect(h.telegram.textsTo(resident)[0]).toContain("PlaceVoice");

    const total = await draining;
    expect(total.sent).toBe(BROADCAST);
    expect(total.dead + total.retried).toBe(0);
    // Everyone got the broadcast once, and the fake Bot API never had to refuse a call.
    expect(new Set(calls.filter(isBroadcast).map((c) => c.params.chat_id)).size).toBeLessThanOrEqual(BROADCAST);
    expect(
      new Set(
        h.telegram
          .callsOf("sendMessage")
          .filter(isBroadcast)
          .map((c) => c.params.chat_id),
      ).size,
    ).toBe(BROADCAST);
    expect(h.telegram.refused).toEqual([]);
  });
});
