// The Node transport for Bot API calls (src/runtime-node/bot-api-fetch.ts) under grammY, against
// the local fake Bot API: what the fake receives, and how each kind of failure reaches the
// outbox's classifier (so a reply is retried, paused for, stopped or dropped as it should be).
import { createServer } from "node:net";
import { InputFile, type Bot } from "grammy";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { classifyTelegramError, createBot } from "../../src/channels/telegram/bot.js";
import { botApiFetch } from "../../src/runtime-node/bot-api-fetch.js";
import { FakeTelegram } from "../support/fake-telegram.js";

const TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

function botAt(apiRoot: string): Bot {
  return createBot(
    {
      token: TOKEN,
      webhookSecret: "secret-secret-secret",
      username: "placevoice_test_bot",
      apiRoot,
      maxPerSecond: 30,
      maxPerChatPerSecond: 1,
    },
    botApiFetch(),
  );
}

async function failureOf(call: Promise<unknown>) {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeDefined();
  return classifyTelegramError(error);
}

describe("Bot API calls over node:http", () => {
  const telegram = new FakeTelegram(TOKEN);
  let bot: Bot;

  beforeAll(async () => {
    bot = botAt(await telegram.start());
    // This file calls the Bot API straight, without the outbox's pacer, to test the transport:
    // the fake's flood limits (which the pacing tests hold the service to) are lifted here.
    telegram.limits = { perSecond: 100_000, perChatPerSecond: 100_000, perGroupPerMinute: 100_000 };
  });
  afterAll(() => telegram.stop());
  beforeEach(() => {
    telegram.reset();
    telegram.delayMs = 0;
  });

  it("sends a message with its keyboard and hands back the message Telegram made", async () => {
    const keyboard = { inline_keyboard: [[{ text: "Yes ✅", callback_data: "yes" }]] };
    const sent = await bot.api.sendMessage(700_000_001, "Beth sy'n bwysig i chi? £5 — “quotes”", {
      reply_markup: keyboard,
    });
    expect(sent.message_id).toBeGreaterThanOrEqual(1000);
    const [call] = telegram.callsOf("sendMessage");
    expect(call!.params).toEqual({
      chat_id: 700_000_001,
      text: "Beth sy'n bwysig i chi? £5 — “quotes”",
      reply_markup: keyboard,
    });
  });

  it("keeps calls apart when many are in flight at once", async () => {
    const sent = await Promise.all(
      Array.from({ length: 100 }, (_, i) => bot.api.sendMessage(800_000_000 + i, `message ${i}`)),
    );
    expect(new Set(sent.map((m) => m.message_id)).size).toBe(100);
    for (let i = 0; i < 100; i++) expect(telegram.textsTo(800_000_000 + i)).toEqual([`message ${i}`]);
    sent.forEach((m, i) => expect(m.chat.id).toBe(800_000_000 + i));
  });

  it("uploads a file as multipart form data (a resident's data export)", async () => {
    const json = JSON.stringify({
      answers: [{ question: "priorities", value: ["transport", "housing"] }],
      note: "ŵ".repeat(5000),
    });
    await bot.api.sendDocument(700_000_002, new InputFile(new TextEncoder().encode(json), "my-data.json"));
    const [call] = telegram.callsOf("sendDocument");
    expect(Number(call!.params.chat_id)).toBe(700_000_002);
    expect((call!.params.document as { content: string }).content).toBe(json);
  });

  it("reports Telegram's refusals with their codes: 429 waits, 403 stops the contact, 400 is not retried", async () => {
    telegram.intercept = () => ({
      ok: false,
      error_code: 429,
      description: "Too Many Requests: retry after 7",
      parameters: { retry_after: 7 },
    });
    expect(await failureOf(bot.api.sendMessage(1, "hi"))).toEqual({
      ok: false,
      error: "429 Too Many Requests: retry after 7",
      retryAfterMs: 7000,
    });
    telegram.intercept = undefined;
    telegram.blocked.add(2);
    expect(await failureOf(bot.api.sendMessage(2, "hi"))).toMatchObject({ ok: false, stopContact: true });
    telegram.intercept = () => ({ ok: false, error_code: 400, description: "Bad Request: chat not found" });
    expect(await failureOf(bot.api.sendMessage(3, "hi"))).toMatchObject({ ok: false, permanent: true });
  });

  it("gives up on a call Telegram does not answer in time, as a network failure to retry", async () => {
    const slow = new FakeTelegram(TOKEN);
    slow.delayMs = 3_000;
    const impatient = botAt(await slow.start());
    // The call's own signal (grammY's timeout is 10 s): the transport must stop on it.
    impatient.api.config.use((prev, method, payload, signal) =>
      prev(method, payload, signal ?? (AbortSignal.timeout(300) as unknown as typeof signal)),
    );
    try {
      const started = performance.now();
      const failure = await failureOf(impatient.api.sendMessage(4, "hi"));
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(failure.ok).toBe(false);
      expect(failure).not.toHaveProperty("permanent");
      expect(failure).not.toHaveProperty("stopContact");
    } finally {
      await slow.stop();
    }
  });

  it("reports an unreachable Bot API as a network failure to retry", async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const failure = await failureOf(botAt(`http://127.0.0.1:${port}`).api.sendMessage(5, "hi"));
    expect(failure).toEqual({ ok: false, error: expect.stringMatching(/^network: /) });
  });

  it("answers an unsupported API root with an error, not a hang", async () => {
    const failure = await failureOf(botAt("ftp://127.0.0.1:1").api.sendMessage(6, "hi"));
    expect(failure.ok).toBe(false);
  });
});
