// Replies during a broadcast, under Telegram's real limits: `placevoice broadcast` queues the
// feedback flow for N Telegram chats, a `placevoice serve` process sends it at 30 messages a
// second, and while it is under way residents who are not in the broadcast write to the bot
// (one /start each, spread over a few seconds). The fake Bot API enforces 30/s overall and 1/s
// per chat, answering 429 with retry_after beyond them, and timestamps every call on arrival.
// Measured: each resident's time from posting the webhook to the arrival of their first reply
// at the Bot API; replies lost (acknowledged, never sent); calls over the limit and 429s; dead
// letters; and the time until the whole outbox is sent.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { migrationsDir, packageRoot } from "../src/runtime-node/paths.js";
import { migrateSqliteFile, openPrismaSqlite } from "../src/store/sqlite-file.js";
import { FakeTelegram, TELEGRAM_LIMITS, textUpdate } from "../test/support/fake-telegram.js";
import { runCli, startServe } from "../test/support/cli.js";
import { APP_SECRET, delivered, seedContacts, TELEGRAM_TOKEN, windowStats } from "./outbound.js";

const SECRET = "bench-replies-webhook-secret-0123";
const FIRST_RESIDENT = 900_000_000;

export interface RepliesFigures {
  readonly recipients: number;
  readonly residents: number;
  /** Broadcast messages sent before the first resident wrote (it was under way). */
  readonly broadcastSentBefore: number;
  /** Broadcast messages sent while residents' replies were going out. */
  readonly broadcastSentDuring: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  readonly acknowledged: number;
  readonly lost: number;
  /** Calls that arrived with more than the limit in the second (overall) or the chat's window before them. */
  readonly overLimit: number;
  readonly refused: number;
  readonly dead: number;
  readonly drainSeconds: number;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

export async function benchReplies(recipients: number, residents: number): Promise<RepliesFigures> {
  const dir = mkdtempSync(path.join(tmpdir(), "placevoice-replies-bench-"));
  const file = path.join(dir, "replies.db");
  const telegram = new FakeTelegram(TELEGRAM_TOKEN);
  telegram.limits = TELEGRAM_LIMITS;
  const root = await telegram.start();
  const env: Record<string, string> = {
    DATABASE_URL: `file:${file}`,
    APP_SECRET,
    PUBLIC_URL: "https://placevoice.example.org",
    SERVICES_DIRECTORY: "none",
    QUIET_HOURS: "00:00-00:00",
    LOG_LEVEL: "info",
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    TELEGRAM_BOT_USERNAME: "placevoice_bench_bot",
    TELEGRAM_API_ROOT: root,
    // Telegram's own limits: the defaults are 30/s; one a second in a chat is the FAQ's figure.
    TELEGRAM_MAX_PER_CHAT_PER_SECOND: "1",
  };
  try {
    migrateSqliteFile(file, migrationsDir);
    await seedContacts(file, "telegram", recipients);
    const cli = await runCli(["broadcast", "--flow", "feedback", "--id", "bench-replies"], { env });
    if (cli.code !== 0 || !cli.stdout.includes(`${recipients} queued`))
      throw new Error(`broadcast did not queue everyone:\n${cli.stdout}\n${cli.stderr}`);
    const server = await startServe({ ...env, PORT: "0", HOST: "127.0.0.1" }, packageRoot);
    const isResident = (chat: unknown) => Number(chat) >= FIRST_RESIDENT;
    const sends = () => delivered(telegram);
    const broadcastSent = () => sends().filter((c) => !isResident(c.params.chat_id)).length;
    const posted = new Map<number, number>();
    let acknowledged = 0;
    let broadcastSentBefore = 0;
    let lastReplyAt = 0;
    try {
      // Under way: a few seconds of the broadcast have gone out.
      while (broadcastSent() < Math.min(recipients, 90)) await new Promise((r) => setTimeout(r, 50));
      broadcastSentBefore = broadcastSent();
      // Residents write over about ten seconds (20 a second), each as Telegram delivers it.
      const spacing = 10_000 / residents;
      await Promise.all(
        Array.from({ length: residents }, async (_, i) => {
          await new Promise((r) => setTimeout(r, i * spacing));
          const chat = FIRST_RESIDENT + i;
          posted.set(chat, telegram.now());
          const response = await fetch(`${server.url}/webhooks/telegram`, {
            method: "POST",
            headers: { "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET },
            body: JSON.stringify(textUpdate(chat, "/start")),
          });
          if (response.status === 200) acknowledged++;
          await response.arrayBuffer();
        }),
      );
      // Everything sent: every recipient and every resident reached (or a generous deadline).
      const deadline = Date.now() + (recipients / TELEGRAM_LIMITS.perSecond) * 1000 * 2 + 60_000;
      const residentsReached = () =>
        new Set(
          sends()
            .filter((c) => isResident(c.params.chat_id))
            .map((c) => c.params.chat_id),
        ).size;
      while ((broadcastSent() < recipients || residentsReached() < residents) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      // A moment more for any second message of a reply (one a second in a chat).
      await new Promise((r) => setTimeout(r, 2000));
      lastReplyAt = Math.max(...sends().map((c) => c.at));
    } finally {
      server.child.kill("SIGTERM");
      await new Promise((r) => server.child.once("exit", r));
    }
    const all = sends();
    const firstReply = new Map<number, number>();
    for (const c of all) {
      const chat = Number(c.params.chat_id);
      if (isResident(chat) && !firstReply.has(chat)) firstReply.set(chat, c.at);
    }
    const latencies = [...posted].flatMap(([chat, at]) => (firstReply.has(chat) ? [firstReply.get(chat)! - at] : []));
    latencies.sort((a, b) => a - b);
    const firstPost = Math.min(...posted.values());
    const lastReply = Math.max(...firstReply.values());
    const broadcastSentDuring = all.filter(
      (c) => !isResident(c.params.chat_id) && c.at >= firstPost && c.at <= lastReply,
    ).length;
    // Over the limit: every call that arrived (accepted or not), counted where Telegram counts.
    const arrived = telegram.callsOf("sendMessage");
    let overLimit = windowStats(
      arrived.map((c) => c.at),
      TELEGRAM_LIMITS.perSecond,
    ).violations;
    const byChat = new Map<string, number[]>();
    for (const c of arrived)
      byChat.set(String(c.params.chat_id), [...(byChat.get(String(c.params.chat_id)) ?? []), c.at]);
    for (const times of byChat.values()) overLimit += windowStats(times, TELEGRAM_LIMITS.perChatPerSecond).violations;
    const prisma = await openPrismaSqlite(file);
    let dead = 0;
    try {
      dead = await prisma.outboxMessage.count({ where: { status: "dead" } });
    } finally {
      await prisma.$disconnect();
    }
    const firstSend = Math.min(...all.map((c) => c.at));
    return {
      recipients,
      residents,
      broadcastSentBefore,
      broadcastSentDuring,
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      maxMs: latencies.at(-1) ?? NaN,
      acknowledged,
      lost: acknowledged - firstReply.size,
      overLimit,
      refused: telegram.refused.length,
      dead,
      drainSeconds: (lastReplyAt - firstSend) / 1000,
    };
  } finally {
    await telegram.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith("replies.ts")) {
  const [recipients = "5000", residents = "200"] = process.argv.slice(2);
  console.log(await benchReplies(Number(recipients), Number(residents)));
}
