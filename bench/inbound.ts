// Inbound pipeline under load: signed Twilio SMS webhooks and Telegram updates through a real
// `placevoice serve` process (verify signature/secret, dedupe, load contact and session, engine
// step, store answers in one transaction, reply: TwiML for SMS; the outbox and a Bot API call to
// the local fake for Telegram), driven by autocannon over loopback from this process. The
// ceiling is a bare Hono handler storing one row per request with better-sqlite3
// (bench/bare-server.ts), driven in the same run by the same generator with the same signed SMS
// bodies, so the ratio compares like with like.
//
// Every connection plays residents one after another; each resident sends the eleven messages of
// a whole priorities conversation (language, consent, postcode, three priorities, a sentence,
// age band, "yes" to local services — signposting runs —, "that's all" and "yes" to hearing
// back, "no" to offering something) and waits for each reply before the next, as a person would, only faster.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import Database from "better-sqlite3";
import { packageRoot } from "../src/runtime-node/paths.js";
import { FakeTelegram, telegramLimitsFor, textUpdate } from "../test/support/fake-telegram.js";
import { FakeTwilio, inboundSms, twilioRateFor } from "../test/support/fake-twilio.js";
import { startServe } from "../test/support/cli.js";

const PUBLIC_URL = "https://placevoice.example.org";
const TELEGRAM_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
const TELEGRAM_SECRET = "bench-telegram-webhook-secret-0123";
const TWILIO_SID = `AC${"1".repeat(32)}`;
const TWILIO_TOKEN = "bench-twilio-auth-token";
const TWILIO_NUMBER = "+447700900000";

export const CONVERSATION = [
  "hi",
  "English",
  "yes please",
  "st6 1aa",
  "2, 6 and housng",
  "Buses after 7pm so I can get to my shifts at the hospital",
  "4",
  "yes",
  "that's all",
  "yes",
  "no",
];

export interface InboundOptions {
  /** Measured seconds per run, after `warmupSeconds` of the same traffic (other residents). */
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  /** Rounds of bare, SMS and Telegram runs, one after the other: figures are medians over them. */
  readonly rounds: number;
}

export interface LoadFigures {
  readonly requests: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Responses other than 2xx, connection errors and timeouts: all should be 0. */
  readonly failures: number;
  /** SMS answered 200 without a reply in the TwiML (should be 0). */
  readonly missingReplies: number;
  /** CPU time the server process spent per request (user + system), in ms: what the path costs, whatever else the machine runs. */
  readonly cpuMsPerRequest?: number;
}

export interface InboundFigures {
  /** Medians over the rounds (requests, failures and missing replies are totals). */
  readonly bare: LoadFigures;
  readonly sms: LoadFigures;
  readonly telegram: LoadFigures;
  /** The same Telegram conversations through a plain grammY bot with the conversations plugin (bench/peer-grammy.ts). */
  readonly peer: LoadFigures;
  /** Medians of each round's ratio to the bare run just before it. */
  readonly smsRatio: number;
  readonly telegramRatio: number;
  /** Median of each round's Telegram throughput over the peer's run just after it. */
  readonly telegramToPeer: number;
  /** Bot API calls the fake received during the measured Telegram runs. */
  readonly telegramSends: number;
  /** Resident set size of the server process just after start, and its peak (VmHWM) over all runs, in MB. */
  readonly startRssMb: number;
  readonly peakRssMb: number;
}

interface Request {
  readonly method: "POST";
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

let residentCounter = 0;
let updateCounter = 9_000_000;

function smsRequest(from: string, body: string): Request {
  const init = inboundSms({
    url: `${PUBLIC_URL}/webhooks/twilio/sms`,
    authToken: TWILIO_TOKEN,
    accountSid: TWILIO_SID,
    from,
    to: TWILIO_NUMBER,
    body,
  });
  return {
    method: "POST",
    path: "/webhooks/twilio/sms",
    headers: init.headers as Record<string, string>,
    body: String(init.body),
  };
}

function telegramRequest(chatId: number, text: string): Request {
  return {
    method: "POST",
    path: "/webhooks/telegram",
    headers: { "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET },
    body: JSON.stringify(textUpdate(chatId, text, { updateId: updateCounter++, language: "en" })),
  };
}

/** A new resident's whole conversation; every message has its own MessageSid / update_id. */
function conversation(channel: "sms" | "telegram"): Request[] {
  const n = ++residentCounter;
  return CONVERSATION.map((text, step) =>
    channel === "sms"
      ? smsRequest(`+447${String(100_000_000 + n).slice(-9)}`, text)
      : telegramRequest(700_000_000 + n, step === 0 ? "/start" : text),
  );
}

/**
 * Requests for one run, signed before it starts so that signing costs the generator nothing
 * while it drives (the bare ceiling would otherwise measure the generator). Each connection
 * walks through whole conversations in order; a pool that runs dry is refilled on the fly.
 */
function prepare(channel: "sms" | "telegram", count: number, options: { cycle?: boolean } = {}): () => Request {
  const pool: Request[] = [];
  while (pool.length < count) pool.push(...conversation(channel));
  let next = 0;
  return () => {
    if (next >= pool.length) {
      // The bare handler stores whatever it gets: it may see a body twice. PlaceVoice may not.
      if (options.cycle) next = 0;
      else pool.push(...conversation(channel));
    }
    return pool[next++]!;
  };
}

let missingReplies = 0;

async function drive(
  url: string,
  channel: "sms" | "telegram",
  seconds: number,
  connections: number,
  expectedPerSecond: number,
  pathOverride?: string,
): Promise<LoadFigures> {
  missingReplies = 0;
  // One resident's conversation stays on one connection (context), so its messages are sequential.
  const take = pathOverride
    ? prepare(channel, 20_000, { cycle: true })
    : prepare(channel, Math.ceil(expectedPerSecond * seconds * 1.2));
  const requests: autocannon.Request[] = CONVERSATION.map((_, step) => ({
    setupRequest: (defaults: autocannon.Request, context: Record<string, unknown>) => {
      if (step === 0 || context.conversation === undefined) context.conversation = Array.from(CONVERSATION, take);
      const request = (context.conversation as Request[])[step]!;
      return {
        ...defaults,
        ...request,
        headers: { ...defaults.headers, ...request.headers },
        ...(pathOverride ? { path: pathOverride } : {}),
      };
    },
    ...(channel === "sms" && !pathOverride
      ? {
          onResponse: (status: number, body: string) => {
            if (status === 200 && !body.includes("<Message>")) missingReplies++;
          },
        }
      : {}),
  }));
  const result = await autocannon({ url, connections, duration: seconds, requests, timeout: 30 });
  return {
    requests: result.requests.total,
    perSecond: result.requests.total / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
    missingReplies,
  };
}

/** User + system CPU time of a process so far, in ms (Linux /proc; clock ticks are 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A measured run, with the server's CPU time per request. */
async function measured(pid: number, run: () => Promise<LoadFigures>): Promise<LoadFigures> {
  const before = cpuMs(pid);
  const figures = await run();
  return { ...figures, cpuMsPerRequest: (cpuMs(pid) - before) / Math.max(1, figures.requests) };
}

function rssMb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/** A bench server script as its own process; it prints `<name> listening url=…` once it listens. */
export async function startScript(
  script: string,
  args: readonly string[],
  options: { quiet?: boolean } = {},
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [path.join(packageRoot, "bin", "run-ts.js"), path.join(packageRoot, "bench", script), ...args],
    { stdio: ["ignore", "pipe", options.quiet ? "ignore" : "inherit"] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /listening url=(\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { url, child };
}

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Medians of the rounds' figures; counts are summed. */
function medianFigures(runs: readonly LoadFigures[]): LoadFigures {
  const cpu = runs.map((r) => r.cpuMsPerRequest).filter((c): c is number => c !== undefined);
  return {
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
    perSecond: median(runs.map((r) => r.perSecond)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    failures: runs.reduce((sum, r) => sum + r.failures, 0),
    missingReplies: runs.reduce((sum, r) => sum + r.missingReplies, 0),
    ...(cpu.length > 0 ? { cpuMsPerRequest: median(cpu) } : {}),
  };
}

/**
 * History a database of `n` stored answers would have besides the answers and their residents
 * (seeded by bench/insights.ts): a processed message id per answer, so the unique index every
 * message checks and extends is as large as it would be.
 */
export function seedHistory(file: string, n: number): void {
  const db = new Database(file);
  db.pragma("synchronous = OFF");
  const now = new Date().toISOString().replace("Z", "+00:00");
  const inbound = db.prepare(`INSERT INTO inbound_messages (id, channel, received_at) VALUES (?, ?, ?)`);
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const channel = i % 5 < 3 ? "sms" : "telegram";
      inbound.run(
        channel === "sms" ? `sms:SM${randomBytes(16).toString("hex")}` : `telegram:${100_000_000 + i}`,
        channel,
        now,
      );
    }
  });
  for (let i = 0; i < n; i += 50_000) batch(i, Math.min(n, i + 50_000));
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}

/**
 * The bare ceiling and both channels through `placevoice serve` on this (migrated, seeded)
 * database, in rounds: bare, SMS, Telegram, bare, SMS, Telegram… Each ratio compares runs
 * seconds apart, so a change in what else the machine is doing moves both sides of it.
 */
export async function benchInbound(
  databaseFile: string,
  bareFile: string,
  options: InboundOptions,
): Promise<InboundFigures> {
  const bareServer = await startScript("bare-server.ts", [bareFile]);
  const telegram = new FakeTelegram(TELEGRAM_TOKEN);
  const twilio = new FakeTwilio(TWILIO_SID, TWILIO_TOKEN);
  const [telegramRoot, twilioBase] = await Promise.all([telegram.start(), twilio.start()]);
  const peerServer = await startScript("peer-grammy.ts", [
    path.join(path.dirname(bareFile), "peer.db"),
    telegramRoot,
    TELEGRAM_TOKEN,
    TELEGRAM_SECRET,
  ]);
  const env = {
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    DATABASE_URL: `file:${databaseFile}`,
    APP_SECRET: "bench-app-secret-0123456789abcdef-0123456789",
    PUBLIC_URL,
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
    TELEGRAM_BOT_USERNAME: "placevoice_bench_bot",
    TELEGRAM_API_ROOT: telegramRoot,
    // Residents here answer within milliseconds; Telegram's real limits (30/s, 1/s per chat)
    // would make this a measurement of pacing, which the outbound benchmark measures instead.
    TELEGRAM_MAX_PER_SECOND: "100000",
    TELEGRAM_MAX_PER_CHAT_PER_SECOND: "1000",
    TWILIO_ACCOUNT_SID: TWILIO_SID,
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    TWILIO_FROM: TWILIO_NUMBER,
    TWILIO_API_BASE: twilioBase,
  };
  // The fakes enforce the limits the service was given (lifted here, as a platform that granted them would).
  telegram.limits = telegramLimitsFor(env);
  twilio.perSecond = twilioRateFor(env);
  const server = await startServe(env, packageRoot);
  try {
    const pid = server.child.pid!;
    const barePid = bareServer.child.pid!;
    const peerPid = peerServer.child.pid!;
    const startRssMb = rssMb(pid, "VmRSS");
    const { url } = server;
    const runs = {
      bare: (seconds: number) => drive(bareServer.url, "sms", seconds, options.connections, 15_000, "/bare"),
      sms: (seconds: number) => drive(url, "sms", seconds, options.connections, 1000),
      telegram: (seconds: number) => drive(url, "telegram", seconds, options.connections, 1000),
      peer: (seconds: number) => drive(peerServer.url, "telegram", seconds, options.connections, 1000),
    };
    for (const warmUp of Object.values(runs)) await warmUp(options.warmupSeconds);
    const bare: LoadFigures[] = [];
    const sms: LoadFigures[] = [];
    const tg: LoadFigures[] = [];
    const peer: LoadFigures[] = [];
    const smsRatios: number[] = [];
    const telegramRatios: number[] = [];
    const peerRatios: number[] = [];
    let telegramSends = 0;
    for (let round = 0; round < options.rounds; round++) {
      const b = await measured(barePid, () => runs.bare(options.seconds));
      const s = await measured(pid, () => runs.sms(options.seconds));
      const sendsBefore = telegram.calls.length;
      const t = await measured(pid, () => runs.telegram(options.seconds));
      telegramSends += telegram.calls.length - sendsBefore;
      const g = await measured(peerPid, () => runs.peer(options.seconds));
      bare.push(b);
      sms.push(s);
      tg.push(t);
      peer.push(g);
      smsRatios.push(s.perSecond / b.perSecond);
      telegramRatios.push(t.perSecond / b.perSecond);
      peerRatios.push(t.perSecond / g.perSecond);
    }
    const errors = server
      .logs()
      .split("\n")
      .filter((l) => /\bERROR\b/.test(l));
    if (errors.length > 0) console.log(`  server logged ${errors.length} error(s), first: ${errors[0]}`);
    return {
      bare: medianFigures(bare),
      sms: medianFigures(sms),
      telegram: medianFigures(tg),
      peer: medianFigures(peer),
      smsRatio: median(smsRatios),
      telegramRatio: median(telegramRatios),
      telegramToPeer: median(peerRatios),
      telegramSends,
      startRssMb,
      peakRssMb: rssMb(pid, "VmHWM"),
    };
  } finally {
    await stop(server.child);
    await stop(bareServer.child);
    await stop(peerServer.child);
    await Promise.all([telegram.stop(), twilio.stop()]);
  }
}
