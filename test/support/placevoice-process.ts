// A real `placevoice serve` process with both channels pointed at local fakes of the Telegram
// Bot API and Twilio's REST API (which live in the test process), for the reliability tests
// that need real sockets, signals and crashes. Webhooks are sent over HTTP exactly as the
// platforms send them: Twilio forms signed against PUBLIC_URL, Telegram updates with the secret.
import type { ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { createAddressCrypto } from "../../src/store/address-crypto.js";
import { migrationsDir, packageRoot, shippedFlowsDir } from "../../src/runtime-node/paths.js";
import { migrateSqliteFile } from "../../src/store/sqlite-file.js";
import { startServe } from "./cli.js";
import { FakeTelegram, telegramLimitsFor } from "./fake-telegram.js";
import { FakeTwilio, inboundSms, twilioRateFor } from "./fake-twilio.js";
import {
  PUBLIC_URL,
  SMS_URL,
  TELEGRAM_SECRET,
  TELEGRAM_TOKEN,
  TWILIO_NUMBER,
  TWILIO_SID,
  TWILIO_TOKEN,
} from "./channel-harness.js";
import { tempDir } from "./temp-db.js";

export const APP_SECRET = "reliability-tests-app-secret-0123456789abcdef";

/** A flow that stores every message as an answer and echoes it back: who got what is visible. */
export const NOTES_FLOW = `id: notes
name: Notes
languages: [en, cy]
expires_after: 3d
nodes:
  - id: intro
    type: message
    text: { en: "Send notes, one a message.", cy: "Anfonwch nodiadau, un ym mhob neges." }
  - id: note
    type: question
    input: text
    max_length: 500
    text: { en: "Noted: {note}", cy: "Nodwyd: {note}" }
    next: note
`;

/** The shipped flows plus the notes flow, in a folder of their own. */
export function flowsWithNotes(dir: string): string {
  const flows = path.join(dir, "flows");
  mkdirSync(flows, { recursive: true });
  cpSync(shippedFlowsDir, flows, { recursive: true, filter: (src) => !src.includes(`${path.sep}tests`) });
  writeFileSync(path.join(flows, "notes.yaml"), NOTES_FLOW);
  return flows;
}

/** The result of one webhook delivery: a status, or a network failure (the server died mid-request). */
export interface Delivery {
  readonly status: number | "network-error";
  readonly body: string;
  readonly retryAfter?: string | null;
}

export interface PlaceVoiceProcess {
  readonly dir: string;
  readonly databaseFile: string;
  readonly env: Record<string, string>;
  readonly telegram: FakeTelegram;
  readonly twilio: FakeTwilio;
  url: string;
  child: ChildProcess;
  logs(): string;
  /** A signed inbound SMS from `from`; `sid` repeats a delivery (Twilio's MessageSid). */
  sms(from: string, body: string, sid?: string): Promise<Delivery>;
  /** A Telegram update, with the webhook secret. */
  update(update: unknown): Promise<Delivery>;
  /** Sends a signal and resolves with the exit code (or the signal) once the process is gone. */
  signal(signal: NodeJS.Signals): Promise<number | NodeJS.Signals>;
  /** Starts the server again on the same database (after a crash or a stop). */
  restart(extraEnv?: Record<string, string>): Promise<void>;
  /** A read-only look at the database file, as a restart would see it. */
  query<T>(sql: string, ...params: unknown[]): T[];
  close(): Promise<void>;
}

/** An inbound SMS form signed as Twilio signs it: for the URL Twilio called (PUBLIC_URL), not the one we post to. */
export function signedSms(from: string, body: string, sid?: string): RequestInit {
  return inboundSms({
    url: SMS_URL,
    authToken: TWILIO_TOKEN,
    accountSid: TWILIO_SID,
    from,
    to: TWILIO_NUMBER,
    body,
    ...(sid ? { messageSid: sid } : {}),
  });
}

async function deliver(url: string, init: RequestInit): Promise<Delivery> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
    return { status: response.status, body: await response.text(), retryAfter: response.headers.get("Retry-After") };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { status: "network-error", body: cause?.code ?? (error as Error).name };
  }
}

export async function startPlaceVoice(
  env: Record<string, string> = {},
  options: {
    notesFlow?: boolean;
    before?: (p: { databaseFile: string; env: Record<string, string> }) => Promise<void>;
  } = {},
): Promise<PlaceVoiceProcess> {
  const telegram = new FakeTelegram(TELEGRAM_TOKEN);
  const twilio = new FakeTwilio(TWILIO_SID, TWILIO_TOKEN);
  const [telegramRoot, twilioBase] = await Promise.all([telegram.start(), twilio.start()]);
  const t = tempDir("placevoice-reliability-");
  const databaseFile = path.join(t.dir, "placevoice.db");
  const fullEnv: Record<string, string> = {
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    DATABASE_URL: `file:${databaseFile}`,
    APP_SECRET,
    PUBLIC_URL,
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
    TELEGRAM_BOT_USERNAME: "placevoice_test_bot",
    TELEGRAM_API_ROOT: telegramRoot,
    TWILIO_ACCOUNT_SID: TWILIO_SID,
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    TWILIO_FROM: TWILIO_NUMBER,
    TWILIO_API_BASE: twilioBase,
    QUIET_HOURS: "00:00-00:00",
    ...(options.notesFlow ? { FLOWS_DIR: flowsWithNotes(t.dir), ENTRY_FLOW: "notes" } : {}),
    ...env,
  };
  // The fakes answer 429 beyond the platforms' limits, or beyond the higher ones this test gave the service.
  telegram.limits = telegramLimitsFor(fullEnv);
  twilio.perSecond = twilioRateFor(fullEnv);
  migrateSqliteFile(databaseFile, migrationsDir);
  await options.before?.({ databaseFile, env: fullEnv });
  let server = await startServe(fullEnv, packageRoot);
  const p: PlaceVoiceProcess = {
    dir: t.dir,
    databaseFile,
    env: fullEnv,
    telegram,
    twilio,
    url: server.url,
    child: server.child,
    logs: () => server.logs(),
    sms: (from, body, sid) => deliver(`${p.url}/webhooks/twilio/sms`, signedSms(from, body, sid)),
    update: (update) =>
      deliver(`${p.url}/webhooks/telegram`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET },
        body: JSON.stringify(update),
      }),
    signal: async (signal) => {
      const child = p.child;
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode!;
      const exited = new Promise<number | NodeJS.Signals>((resolve) =>
        child.once("exit", (code, sig) => resolve(code ?? sig!)),
      );
      child.kill(signal);
      return exited;
    },
    restart: async (extraEnv = {}) => {
      server = await startServe({ ...fullEnv, ...extraEnv }, packageRoot);
      p.url = server.url;
      p.child = server.child;
    },
    query: <T>(sql: string, ...params: unknown[]) => {
      const db = new Database(databaseFile, { readonly: true, timeout: 5000 });
      try {
        return db.prepare(sql).all(...params) as T[];
      } finally {
        db.close();
      }
    },
    close: async () => {
      await p.signal("SIGKILL");
      await Promise.all([telegram.stop(), twilio.stop()]);
      rmSync(t.dir, { recursive: true, force: true });
    },
  };
  return p;
}

/** Opted-in contacts straight into the database (a broadcast's audience), addresses encrypted under APP_SECRET. */
export async function seedContacts(
  databaseFile: string,
  channel: "sms" | "telegram",
  addresses: readonly string[],
  options: { area?: string; idPrefix?: string } = {},
): Promise<void> {
  const crypto = await createAddressCrypto(APP_SECRET);
  const db = new Database(databaseFile, { timeout: 5000 });
  try {
    // The format Prisma writes DateTime columns in on SQLite (compared as text in queries).
    const now = new Date().toISOString().replace("Z", "+00:00");
    const insert = db.prepare(
      `INSERT INTO contacts (id, channel, address_hash, address_enc, language, status, consent_version, consent_at, area, created_at, updated_at) VALUES (?, ?, ?, ?, 'en', 'active', '2026-11', ?, ?, ?, ?)`,
    );
    const rows = await Promise.all(
      addresses.map(
        async (address, i) =>
          [
            `${options.idPrefix ?? "seed"}-${channel}-${i}`,
            channel,
            await crypto.hash(channel, address),
            await crypto.encrypt(address),
          ] as const,
      ),
    );
    db.transaction(() => {
      for (const [id, ch, hash, enc] of rows) insert.run(id, ch, hash, enc, now, options.area ?? "ST6", now, now);
    })();
  } finally {
    db.close();
  }
}

/** Waits until `check` holds, polling; fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
