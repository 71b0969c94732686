// The peer Telegram inbound is measured against: the same conversation written the way a plain
// grammY bot is written — grammY's webhook adapter for Hono, the conversations plugin (v2) with
// its state in SQLite through a small storage adapter, each answer stored as a row, and each
// reply sent with ctx.reply() inside the webhook (grammY's default: the update is answered once
// the middleware, replies included, has finished). No pacing, no retry plugin, grammY's own HTTP
// client: the design of PlaceVoice's Telegram side without PlaceVoice.
// Run as its own process by bench/inbound.ts:
//   `node bin/run-ts.js bench/peer-grammy.ts <db file> <Bot API root> <bot token> <webhook secret>`.
import { type Conversation, type ConversationFlavor, conversations, createConversation } from "@grammyjs/conversations";
import { serve } from "@hono/node-server";
import Database from "better-sqlite3";
import { Bot, type Context, webhookCallback } from "grammy";
import { Hono } from "hono";
import { botInfoFor } from "../src/channels/telegram/bot.js";

const [file, apiRoot, token, secret] = process.argv.slice(2);
if (!file || !apiRoot || !token || !secret)
  throw new Error("usage: peer-grammy.ts <database file> <Bot API root> <bot token> <webhook secret>");

const db = new Database(file);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.exec(`CREATE TABLE IF NOT EXISTS conversation_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS answers (chat_id INTEGER NOT NULL, question TEXT NOT NULL, value TEXT NOT NULL, answered_at TEXT NOT NULL)`);
const read = db.prepare<[string], { value: string }>("SELECT value FROM conversation_state WHERE key = ?");
const write = db.prepare(
  "INSERT INTO conversation_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
);
const remove = db.prepare("DELETE FROM conversation_state WHERE key = ?");
const answer = db.prepare("INSERT INTO answers (chat_id, question, value, answered_at) VALUES (?, ?, ?, ?)");

type BotContext = ConversationFlavor<Context>;
type Talk = Conversation<BotContext, Context>;

const THEMES = ["housing", "cost_of_living", "jobs", "health", "crime", "transport", "environment", "community"];
const THEME_LIST = THEMES.map((t, i) => `${i + 1}. ${t.replace(/_/g, " ")}`).join("\n");

/** The next text message, re-asking until `parse` accepts it. */
async function ask<T>(talk: Talk, ctx: Context, question: string, parse: (text: string) => T | undefined): Promise<T> {
  await ctx.reply(question);
  for (;;) {
    const next = await talk.waitFor("message:text");
    const value = parse(next.message.text.trim().toLowerCase());
    if (value !== undefined) return value;
    await next.reply(`Sorry, I didn't get that. ${question}`);
  }
}

const store = (talk: Talk, chatId: number, question: string, value: unknown) =>
  talk.external(() => answer.run(chatId, question, JSON.stringify(value), new Date().toISOString()));
const yes = (t: string) => (/^(y|yes|yes please|ok|sure)\b/.test(t) ? true : /^(n|no)\b/.test(t) ? false : undefined);

async function priorities(talk: Talk, ctx: Context): Promise<void> {
  const chatId = ctx.chatId!;
  await ask(talk, ctx, "Hi, this is a survey bot. English or Cymraeg?", (t) =>
    /english|cymraeg/.test(t) ? t : undefined,
  );
  const consent = await ask(talk, ctx, "It's 7 quick questions. Is that OK?", yes);
  if (!consent) return void (await ctx.reply("No problem. Bye."));
  const district = await ask(talk, ctx, "What's your postcode?", (t) =>
    /^([a-z]{1,2}\d[a-z\d]?)\s*\d[a-z]{2}$/.exec(t)?.[1]?.toUpperCase(),
  );
  await store(talk, chatId, "postcode", district);
  const chosen = await ask(talk, ctx, `Got it: ${district}. Pick up to three:\n${THEME_LIST}`, (t) => {
    const picked = new Set<string>();
    for (const n of t.match(/\d+/g) ?? []) if (THEMES[Number(n) - 1]) picked.add(THEMES[Number(n) - 1]!);
    for (const theme of THEMES) if (t.includes(theme.slice(0, 4))) picked.add(theme);
    return picked.size > 0 && picked.size <= 3 ? [...picked] : undefined;
  });
  await store(talk, chatId, "priorities", chosen);
  const words = await ask(talk, ctx, `Got it: ${chosen.join(", ")}. What would make the biggest difference?`, (t) =>
    t.length > 0 ? t : undefined,
  );
  await store(talk, chatId, "biggest_difference", words);
  const ages = ["16-24", "25-34", "35-49", "50-64", "65+"];
  const age = await ask(
    talk,
    ctx,
    `Which age group?\n${ages.map((a, i) => `${i + 1}. ${a}`).join("\n")}`,
    (t) => ages[Number(t) - 1],
  );
  await store(talk, chatId, "age_band", age);
  const help = await ask(talk, ctx, `Got it: ${age}. Would you like details of local services?`, yes);
  await store(talk, chatId, "wants_help", help);
  if (help)
    await ask(talk, ctx, "Here are some local services: Citizens Advice 0800 144 8848. Anything else?", (t) => t);
  const hearBack = await ask(talk, ctx, "Can we message you later?", yes);
  await store(talk, chatId, "hear_back", hearBack);
  const offer = await ask(talk, ctx, "Last one: is there anything you could offer your area?", yes);
  await store(talk, chatId, "could_offer", offer);
  await ctx.reply("Thanks again.");
}

const bot = new Bot<BotContext>(token, {
  botInfo: botInfoFor({ token, username: "peer_bench_bot" }),
  client: { apiRoot },
});
bot.use(
  conversations<BotContext, Context>({
    storage: {
      type: "key",
      adapter: {
        read: (key) => {
          const row = read.get(key);
          return row ? JSON.parse(row.value) : undefined;
        },
        write: (key, state) => void write.run(key, JSON.stringify(state)),
        delete: (key) => void remove.run(key),
      },
    },
  }),
);
bot.use(createConversation(priorities, "priorities"));
bot.command("start", (ctx) => ctx.conversation.enter("priorities"));

const app = new Hono();
app.post("/webhooks/telegram", webhookCallback(bot, "hono", { secretToken: secret }));
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
  console.log(`peer listening url=http://127.0.0.1:${info.port}`),
);
process.once("SIGTERM", () => server.close(() => process.exit(0)));
