// One PlaceVoice instance with both channels on, talking to local fakes of Telegram and
// Twilio, with requests sent through app.request() as the platforms would send them.
import path from "node:path";
import type { Hono } from "hono";
import { loadConfig } from "../../src/config.js";
import { createLogger, type Logger } from "../../src/log.js";
import { openNodeServices, type NodeServices } from "../../src/runtime-node/services.js";
import { createApp } from "../../src/web/app.js";
import { publishTally } from "../../src/insights/disclosure.js";
import type { Resolve } from "../../src/runtime-node/webhook-post.js";
import { testClock, type TestClock } from "./clock.js";
import { FakeTelegram, telegramLimitsFor } from "./fake-telegram.js";
import { FakeTwilio, inboundSms, twilioRateFor } from "./fake-twilio.js";
import { tempDir } from "./temp-db.js";

export const TELEGRAM_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
export const TELEGRAM_SECRET = "telegram-webhook-secret-0123456789";
export const TWILIO_SID = `AC${"1".repeat(32)}`;
export const TWILIO_TOKEN = "twilio-auth-token-for-tests";
export const TWILIO_NUMBER = "+447700900000";
export const PUBLIC_URL = "https://placevoice.example.org";
// With this key, counts of 10 to 16 are published as they are and larger ones are adjusted
// (20 -> 19, 25 -> 22, 30 -> 32): tests near the threshold keep their premise, and every
// expectation is still read through the real gate with published().
export const HARNESS_RECORD_KEY = 79;

/** What the disclosure gate publishes for `count` residents of the harness (all with HARNESS_RECORD_KEY), under K = 10 by default. */
export function published(count: number, k = 10): number | null {
  return publishTally({ count, keySum: count * HARNESS_RECORD_KEY }, k).count;
}

export interface Harness {
  readonly app: Hono;
  readonly services: NodeServices;
  readonly telegram: FakeTelegram;
  readonly twilio: FakeTwilio;
  readonly logs: string[];
  /** The service's clock: set it and move it, never read the machine's. */
  readonly clock: TestClock;
  /** Posts an update and waits for the replies it queued to be sent (or left queued). */
  telegramUpdate(update: unknown, secret?: string | null): Promise<Response>;
  /** Posts an update and returns as soon as the webhook is answered. */
  telegramUpdateAnswered(update: unknown, secret?: string | null): Promise<Response>;
  sms(init: RequestInit, pathname?: string): Promise<Response>;
  /** An SMS from this number to the service's, signed as Twilio signs it. */
  smsFrom(from: string, body: string): Promise<Response>;
  close(): Promise<void>;
}

export async function startHarness(
  env: Record<string, string> = {},
  clock: TestClock = testClock(),
  options: { recordKey?: () => number; resolveHost?: Resolve } = {},
): Promise<Harness> {
  const telegram = new FakeTelegram(TELEGRAM_TOKEN);
  const twilio = new FakeTwilio(TWILIO_SID, TWILIO_TOKEN);
  const [telegramRoot, twilioBase] = await Promise.all([telegram.start(), twilio.start()]);
  const dir = tempDir();
  const logs: string[] = [];
  const settings: Record<string, string> = {
    DATABASE_URL: `file:${path.join(dir.dir, "channels.db")}`,
    APP_SECRET: "channel-tests-app-secret-0123456789abcdef",
    PUBLIC_URL,
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
    TELEGRAM_BOT_USERNAME: "placevoice_test_bot",
    TELEGRAM_API_ROOT: telegramRoot,
    // Conversations in these tests are typed faster than any person could; the pacing test sets the real limit.
    TELEGRAM_MAX_PER_CHAT_PER_SECOND: "50",
    TWILIO_ACCOUNT_SID: TWILIO_SID,
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    TWILIO_FROM: TWILIO_NUMBER,
    TWILIO_API_BASE: twilioBase,
    ...env,
  };
  const config = loadConfig(settings);
  const log: Logger = createLogger("debug", (line) => logs.push(line), config.logFormat);
  // The fakes answer 429 beyond the platforms' limits, or beyond the higher ones this test gave the service.
  telegram.limits = telegramLimitsFor(settings);
  twilio.perSecond = twilioRateFor(settings);
  // Every resident's record key is HARNESS_RECORD_KEY, so a published count is a known function
  // of the true count (published() below); the disclosure tests use random keys.
  const services = await openNodeServices(config, {
    log,
    now: clock.now,
    recordKey: options.recordKey ?? (() => HARNESS_RECORD_KEY),
    ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}),
  });
  // A champion with known codes, for attribution tests.
  // (Upsert: a harness may be restarted on the same database.)
  await services.prisma.champion.upsert({
    where: { id: "champion-test" },
    update: {},
    create: {
      id: "champion-test",
      name: "Burslem Community Pantry",
      viewTokenHash: "test-view-token-hash",
      codes: { create: [{ code: "ST6BUS" }, { code: "OTHER", campaign: "Poster: Middleport" }] },
    },
  });
  const app = createApp(services.appDeps);
  const postUpdate = async (update: unknown, secret: string | null = TELEGRAM_SECRET) =>
    app.request("/webhooks/telegram", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        ...(secret === null ? {} : { "X-Telegram-Bot-Api-Secret-Token": secret }),
      },
      body: JSON.stringify(update),
    });
  return {
    app,
    services,
    telegram,
    twilio,
    logs,
    clock,
    // Like a resident, waits until the update's replies have arrived (the service answers
    // Telegram first and sends them after); telegramUpdateAnswered returns on the answer.
    telegramUpdate: async (update, secret = TELEGRAM_SECRET) => {
      const response = await postUpdate(update, secret);
      await services.dispatcher.settled();
      return response;
    },
    telegramUpdateAnswered: postUpdate,
    sms: async (init, pathname = "/webhooks/twilio/sms") => app.request(pathname, init),
    smsFrom: async (from, body) =>
      app.request(
        "/webhooks/twilio/sms",
        inboundSms({ url: SMS_URL, authToken: TWILIO_TOKEN, accountSid: TWILIO_SID, from, to: TWILIO_NUMBER, body }),
      ),
    close: async () => {
      await services.close();
      await Promise.all([telegram.stop(), twilio.stop()]);
      dir.cleanup();
    },
  };
}

export const SMS_URL = `${PUBLIC_URL}/webhooks/twilio/sms`;
export const STATUS_URL = `${PUBLIC_URL}/webhooks/twilio/status`;
