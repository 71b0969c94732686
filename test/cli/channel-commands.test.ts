// The operator's channel commands, run as processes against local fakes of Telegram and Twilio.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testClock } from "../support/clock.js";
import { FakeTelegram } from "../support/fake-telegram.js";
import { FakeTwilio } from "../support/fake-twilio.js";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/temp-db.js";
import {
  TELEGRAM_SECRET,
  TELEGRAM_TOKEN,
  TWILIO_NUMBER,
  TWILIO_SID,
  TWILIO_TOKEN,
} from "../support/channel-harness.js";

const telegram = new FakeTelegram(TELEGRAM_TOKEN);
const twilio = new FakeTwilio(TWILIO_SID, TWILIO_TOKEN);
const dir = tempDir();
let env: Record<string, string>;

beforeAll(async () => {
  const [telegramRoot, twilioBase] = await Promise.all([telegram.start(), twilio.start()]);
  env = {
    DATABASE_URL: `file:${path.join(dir.dir, "cli.db")}`,
    APP_SECRET: "cli-channel-tests-secret-0123456789abcdef",
    PUBLIC_URL: "https://voice.example.org",
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
    TELEGRAM_API_ROOT: telegramRoot,
    TWILIO_ACCOUNT_SID: TWILIO_SID,
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    TWILIO_FROM: TWILIO_NUMBER,
    TWILIO_API_BASE: twilioBase,
    QUIET_HOURS: "00:00-00:00",
  };
});
afterAll(async () => {
  await Promise.all([telegram.stop(), twilio.stop()]);
  dir.cleanup();
});

describe("placevoice telegram set-webhook", () => {
  it("sets the webhook with the secret and allowed updates, and the command menu in en and cy", async () => {
    const result = await runCli(["telegram", "set-webhook"], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("Webhook set: https://voice.example.org/webhooks/telegram");
    expect(telegram.callsOf("setWebhook")[0]?.params).toMatchObject({
      url: "https://voice.example.org/webhooks/telegram",
      secret_token: TELEGRAM_SECRET,
      allowed_updates: ["message", "callback_query", "my_chat_member"],
    });
    const menus = telegram.callsOf("setMyCommands");
    expect(menus).toHaveLength(2);
    expect(menus[0]!.params.language_code).toBeUndefined();
    expect(menus[1]!.params.language_code).toBe("cy");
    expect((menus[1]!.params.commands as { command: string }[]).map((c) => c.command)).toEqual([
      "start",
      "help",
      "language",
      "offer",
      "mydata",
      "delete",
      "stop",
    ]);
  });
});

describe("placevoice broadcast", () => {
  it("queues a flow for opted-in contacts and sends it with --send, showing progress", async () => {
    // Two residents take part over SMS first (through the server's own code path).
    const { loadConfig } = await import("../../src/config.js");
    const { openNodeServices } = await import("../../src/runtime-node/services.js");
    const { silentLogger } = await import("../../src/log.js");
    const services = await openNodeServices(loadConfig(env), { log: silentLogger, now: testClock().now });
    for (const phone of ["+447700900301", "+447700900302", "+447700900303"]) {
      for (const text of [
        "hi",
        "english",
        "yes",
        phone.endsWith("3") ? "ST3 1AA" : "ST6 1AA",
        "1",
        "skip",
        "skip",
        "no",
        "no",
      ]) {
        await services.conversation.handle({ channel: "sms", address: phone, input: { type: "text", text } });
      }
    }
    await services.close();

    const result = await runCli(
      ["broadcast", "--flow", "feedback", "--area", "st6", "--send", "--id", "feedback-test"],
      { env },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Broadcast "feedback-test": flow feedback, area ST6');
    expect(result.stdout).toContain("Matched 2 opted-in contact(s): 2 queued, 0 mid-conversation (left alone)");
    expect(result.stdout).toContain("Sending now.");
    expect(result.stdout).toMatch(/Sent 2\. Outbox now: sent 2\./);
    expect(twilio.sent.map((s) => s.to).sort()).toEqual(["+447700900301", "+447700900302"]);
    expect(twilio.sent[0]!.body).toContain("From 1 to 5, how easy was it to take part?");

    const again = await runCli(
      ["broadcast", "--flow", "feedback", "--area", "ST6", "--send", "--id", "feedback-test"],
      { env },
    );
    expect(again.stdout).toContain("0 queued");
    expect(twilio.sent).toHaveLength(2);
  });

  it("explains what is wrong with its arguments", async () => {
    expect((await runCli(["broadcast"], { env })).stderr).toContain("Which flow?");
    expect((await runCli(["broadcast", "--flow", "nope"], { env })).stderr).toContain('No flow "nope"');
  });
});
