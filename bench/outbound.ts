// A broadcast to N fake recipients, as an operator runs it: `placevoice broadcast` queues the
// flow's first message for every opted-in contact, then a `placevoice serve` process sends the
// queue through its outbox worker, paced, to a local fake of the Bot API or Twilio's REST API.
// The fake timestamps every call it receives, so the rate and the limit are checked where the
// platform would check them: achieved rate = calls / (last - first), and a violation is any
// call with more than the limit of calls in the one second up to and including it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { migrationsDir, packageRoot } from "../src/runtime-node/paths.js";
import { createAddressCrypto } from "../src/store/address-crypto.js";
import { migrateSqliteFile, openPrismaSqlite } from "../src/store/sqlite-file.js";
import { FakeTelegram, telegramLimitsFor, type BotApiCall } from "../test/support/fake-telegram.js";
import { FakeTwilio, twilioRateFor } from "../test/support/fake-twilio.js";
import { runCli, startServe } from "../test/support/cli.js";

export const APP_SECRET = "bench-outbound-app-secret-0123456789abcdef";
export const TELEGRAM_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
const TWILIO_SID = `AC${"2".repeat(32)}`;
const TWILIO_TOKEN = "bench-outbound-twilio-token";

export interface OutboundFigures {
  readonly channel: "telegram" | "sms";
  readonly recipients: number;
  readonly limitPerSecond: number;
  /** `placevoice broadcast` run time (matching and queueing every recipient). */
  readonly queueSeconds: number;
  readonly sent: number;
  /** Distinct recipients reached, and messages beyond one per recipient (should be 0). */
  readonly recipientsReached: number;
  readonly duplicates: number;
  readonly achievedPerSecond: number;
  /** Most calls the fake saw in any one-second window. */
  readonly worstWindow: number;
  /** Calls that had more than the limit in the second before them (should be 0). */
  readonly violations: number;
  /** Calls the fake refused with 429 (Telegram) or 20429 (Twilio). */
  readonly refused: number;
}

/** sendMessage calls the fake Bot API accepted (not refused with 429). */
export function delivered(telegram: FakeTelegram): BotApiCall[] {
  const refused = new Set(telegram.refused);
  return telegram.callsOf("sendMessage").filter((c) => !refused.has(c));
}

/** Most calls in any window of `windowMs` (inclusive of both ends), and calls over the limit. */
export function windowStats(
  times: readonly number[],
  limit: number,
  windowMs = 1000,
): { worst: number; violations: number } {
  const sorted = [...times].sort((a, b) => a - b);
  let worst = 0;
  let violations = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    const inWindow = i - j + 1;
    worst = Math.max(worst, inWindow);
    if (inWindow > limit) violations++;
  }
  return { worst, violations };
}

export async function seedContacts(file: string, channel: "telegram" | "sms", count: number): Promise<string[]> {
  const crypto = await createAddressCrypto(APP_SECRET);
  const prisma = await openPrismaSqlite(file);
  const addresses: string[] = [];
  try {
    for (let from = 0; from < count; from += 1000) {
      const rows = [];
      for (let i = from; i < Math.min(count, from + 1000); i++) {
        const address = channel === "telegram" ? String(800_000_000 + i) : `+447${String(300_000_000 + i).slice(-9)}`;
        addresses.push(address);
        rows.push({
          id: `bench-${channel}-${String(i).padStart(6, "0")}`,
          channel,
          addressHash: await crypto.hash(channel, address),
          addressEnc: await crypto.encrypt(address),
          language: "en",
          status: "active",
          consentVersion: "2026-11",
          consentAt: new Date(),
          area: "ST6",
        });
      }
      await prisma.contact.createMany({ data: rows });
    }
  } finally {
    await prisma.$disconnect();
  }
  return addresses;
}

export async function benchOutbound(
  channel: "telegram" | "sms",
  recipients: number,
  limitPerSecond: number,
): Promise<OutboundFigures> {
  const dir = mkdtempSync(path.join(tmpdir(), "placevoice-outbound-bench-"));
  const file = path.join(dir, "outbound.db");
  const telegram = new FakeTelegram(TELEGRAM_TOKEN);
  const twilio = new FakeTwilio(TWILIO_SID, TWILIO_TOKEN);
  const [telegramRoot, twilioBase] = await Promise.all([telegram.start(), twilio.start()]);
  const env: Record<string, string> = {
    DATABASE_URL: `file:${file}`,
    APP_SECRET,
    PUBLIC_URL: "https://placevoice.example.org",
    SERVICES_DIRECTORY: "none",
    QUIET_HOURS: "00:00-00:00",
    LOG_LEVEL: "info",
    ...(channel === "telegram"
      ? {
          TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
          TELEGRAM_WEBHOOK_SECRET: "bench-outbound-secret-0123",
          TELEGRAM_BOT_USERNAME: "placevoice_bench_bot",
          TELEGRAM_API_ROOT: telegramRoot,
          TELEGRAM_MAX_PER_SECOND: String(limitPerSecond),
        }
      : {
          TWILIO_ACCOUNT_SID: TWILIO_SID,
          TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
          TWILIO_FROM: "+447700900000",
          TWILIO_API_BASE: twilioBase,
          TWILIO_MAX_PER_SECOND: String(limitPerSecond),
        }),
  };
  // The fakes answer 429 beyond the rate the service is configured for (a platform that granted it).
  telegram.limits = telegramLimitsFor(env);
  twilio.perSecond = twilioRateFor(env);
  try {
    migrateSqliteFile(file, migrationsDir);
    await seedContacts(file, channel, recipients);
    const queued = performance.now();
    const cli = await runCli(["broadcast", "--flow", "feedback", "--id", "bench-outbound"], { env });
    const queueSeconds = (performance.now() - queued) / 1000;
    if (cli.code !== 0 || !cli.stdout.includes(`${recipients} queued`))
      throw new Error(`broadcast did not queue everyone:\n${cli.stdout}\n${cli.stderr}`);

    const server = await startServe({ ...env, PORT: "0", HOST: "127.0.0.1" }, packageRoot);
    const times = (): number[] =>
      channel === "telegram" ? delivered(telegram).map((c) => c.at) : twilio.sent.map((s) => s.at);
    try {
      const deadline = Date.now() + (recipients / limitPerSecond) * 1000 * 3 + 30_000;
      while (times().length < recipients && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    } finally {
      server.child.kill("SIGTERM");
      await new Promise((r) => server.child.once("exit", r));
    }
    const at = times();
    const to =
      channel === "telegram" ? delivered(telegram).map((c) => String(c.params.chat_id)) : twilio.sent.map((s) => s.to);
    const reached = new Set(to).size;
    const { worst, violations } = windowStats(at, limitPerSecond);
    // Mean over the whole seconds of the run (the pacer allows one window's worth at once at
    // the start, so calls / (last - first) would flatter it).
    const first = Math.min(...at);
    const seconds = Math.max(1, Math.floor((Math.max(...at) - first) / 1000));
    const inWholeSeconds = at.filter((t) => t < first + seconds * 1000).length;
    return {
      channel,
      recipients,
      limitPerSecond,
      queueSeconds,
      sent: at.length,
      recipientsReached: reached,
      duplicates: at.length - reached,
      achievedPerSecond: inWholeSeconds / seconds,
      worstWindow: worst,
      violations,
      refused: channel === "telegram" ? telegram.refused.length : twilio.refused.length,
    };
  } finally {
    await Promise.all([telegram.stop(), twilio.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith("outbound.ts")) {
  const [channel = "telegram", n = "10000", rate = "500"] = process.argv.slice(2);
  console.log(await benchOutbound(channel as "telegram" | "sms", Number(n), Number(rate)));
}
