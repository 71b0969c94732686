// Telegram inbound under the Bot API's real limits (30 messages a second, one a second in a
// chat, enforced by the fake with 429 and retry_after), PlaceVoice against the plain grammY peer
// (bench/peer-grammy.ts). Residents write the whole priorities conversation, each waiting a
// little over a second between messages (a quick reader, and Telegram's one-a-second in a
// chat), more of them at once than 30 a second can answer. Measured for each side: updates
// acknowledged and refused, replies that reached the Bot API, 429s, time from webhook to reply,
// and what was still unsent (or lost) at the end.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { migrationsDir, packageRoot } from "../src/runtime-node/paths.js";
import { migrateSqliteFile } from "../src/store/sqlite-file.js";
import { FakeTelegram, TELEGRAM_LIMITS, textUpdate } from "../test/support/fake-telegram.js";
import { startServe } from "../test/support/cli.js";
import { CONVERSATION, startScript, stop } from "./inbound.js";
import { APP_SECRET, delivered, TELEGRAM_TOKEN } from "./outbound.js";

const SECRET = "bench-limits-webhook-secret-0123";
const FIRST_CHAT = 950_000_000;

export interface LimitsSide {
  readonly updates: number;
  readonly acknowledged: number;
  /** Updates answered other than 2xx (Telegram would deliver them again). */
  readonly refusedUpdates: number;
  /** Updates left without a reply: in each chat, updates minus replies that reached it (every update asks for one). */
  readonly unanswered: number;
  readonly repliesDelivered: number;
  readonly rejected429: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  /** Replies committed and still unsent when the run ended, after waiting for them (PlaceVoice's outbox; 0 for the peer, which has none). */
  readonly unsent: number;
}

export interface LimitsFigures {
  readonly residents: number;
  readonly seconds: number;
  readonly placevoice: LimitsSide;
  readonly peer: LimitsSide;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/** One update posted: its chat, when (the fake's clock), and whether it got a 2xx. */
interface Post {
  readonly chat: number;
  readonly at: number;
  ok: boolean;
}

async function drive(
  url: string,
  telegram: FakeTelegram,
  residents: number,
  seconds: number,
  firstChat: number,
): Promise<Post[]> {
  const posts: Post[] = [];
  const end = Date.now() + seconds * 1000;
  let chatCounter = firstChat;
  await Promise.all(
    Array.from({ length: residents }, async (_, lane) => {
      await new Promise((r) => setTimeout(r, (lane * 1000) / residents));
      while (Date.now() < end) {
        const chat = chatCounter++;
        for (const [step, text] of CONVERSATION.entries()) {
          if (Date.now() >= end) break;
          const post: Post = { chat, at: telegram.now(), ok: false };
          posts.push(post);
          const response = await fetch(`${url}/webhooks/telegram`, {
            method: "POST",
            headers: { "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET },
            body: JSON.stringify(textUpdate(chat, step === 0 ? "/start" : text)),
          });
          post.ok = response.ok;
          await response.arrayBuffer();
          await new Promise((r) => setTimeout(r, 1100));
        }
      }
    }),
  );
  return posts;
}

function figures(posts: readonly Post[], telegram: FakeTelegram, unsent: number): LimitsSide {
  const sent = delivered(telegram);
  const byChat = new Map<number, number[]>();
  for (const c of sent) byChat.set(Number(c.params.chat_id), [...(byChat.get(Number(c.params.chat_id)) ?? []), c.at]);
  const latencies: number[] = [];
  const postsIn = new Map<number, number>();
  for (const p of posts) {
    postsIn.set(p.chat, (postsIn.get(p.chat) ?? 0) + 1);
    const reply = byChat.get(p.chat)?.find((at) => at >= p.at);
    if (reply !== undefined) latencies.push(reply - p.at);
  }
  let unanswered = 0;
  for (const [chat, n] of postsIn) unanswered += Math.max(0, n - (byChat.get(chat)?.length ?? 0));
  latencies.sort((a, b) => a - b);
  return {
    updates: posts.length,
    acknowledged: posts.filter((p) => p.ok).length,
    refusedUpdates: posts.filter((p) => !p.ok).length,
    unanswered,
    repliesDelivered: sent.length,
    rejected429: telegram.refused.length,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    unsent,
  };
}

export async function benchUnderLimits(residents: number, seconds: number): Promise<LimitsFigures> {
  const dir = mkdtempSync(path.join(tmpdir(), "placevoice-limits-bench-"));
  try {
    // PlaceVoice: acknowledged on commit, replies paced from the outbox.
    const file = path.join(dir, "placevoice.db");
    migrateSqliteFile(file, migrationsDir);
    const pvTelegram = new FakeTelegram(TELEGRAM_TOKEN);
    pvTelegram.limits = TELEGRAM_LIMITS;
    const pvRoot = await pvTelegram.start();
    let placevoice: LimitsSide;
    try {
      const server = await startServe(
        {
          PORT: "0",
          HOST: "127.0.0.1",
          DATABASE_URL: `file:${file}`,
          APP_SECRET,
          PUBLIC_URL: "https://placevoice.example.org",
          QUIET_HOURS: "00:00-00:00",
          LOG_LEVEL: "info",
          TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
          TELEGRAM_WEBHOOK_SECRET: SECRET,
          TELEGRAM_BOT_USERNAME: "placevoice_bench_bot",
          TELEGRAM_API_ROOT: pvRoot,
          TELEGRAM_MAX_PER_CHAT_PER_SECOND: "1",
        },
        packageRoot,
      );
      try {
        const posts = await drive(server.url, pvTelegram, residents, seconds, FIRST_CHAT);
        const db = new Database(file, { readonly: true });
        const pending = () =>
          (db.prepare("SELECT count(*) AS n FROM outbox WHERE status <> 'sent'").get() as { n: number }).n;
        const deadline = Date.now() + 60_000;
        while (pending() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
        const unsent = pending();
        db.close();
        placevoice = figures(posts, pvTelegram, unsent);
      } finally {
        await stop(server.child);
      }
    } finally {
      await pvTelegram.stop();
    }

    // The peer: replies inside the webhook, straight to the Bot API.
    const peerTelegram = new FakeTelegram(TELEGRAM_TOKEN);
    peerTelegram.limits = TELEGRAM_LIMITS;
    const peerRoot = await peerTelegram.start();
    let peer: LimitsSide;
    try {
      // Its failed replies are logged by grammY on stderr: counted here instead.
      const server = await startScript(
        "peer-grammy.ts",
        [path.join(dir, "peer.db"), peerRoot, TELEGRAM_TOKEN, SECRET],
        {
          quiet: true,
        },
      );
      try {
        const posts = await drive(server.url, peerTelegram, residents, seconds, FIRST_CHAT);
        peer = figures(posts, peerTelegram, 0);
      } finally {
        await stop(server.child);
      }
    } finally {
      await peerTelegram.stop();
    }
    return { residents, seconds, placevoice, peer };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith("limits.ts")) {
  const [residents = "60", seconds = "20"] = process.argv.slice(2);
  console.log(await benchUnderLimits(Number(residents), Number(seconds)));
}
