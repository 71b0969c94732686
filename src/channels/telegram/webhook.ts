// POST /webhooks/telegram. The secret token is checked (in constant time) before the body is
// read; a malformed update is refused with 400; a valid one runs through grammY's middleware
// into the conversation host. The update_id is committed with the step, so a redelivered
// update changes nothing and sends nothing. The update is answered 200 as soon as its step is
// committed, with its replies in the outbox; they are sent after, in order and paced (see
// OutboxDispatcher.queueClaimed), so a paced send never holds one of Telegram's webhook
// connections. Where a runtime cannot keep working after answering (`sendInline`), the
// request waits for its replies as before.
import type { Clock } from "../../clock.js";
import { InputFile, type Bot, type Context } from "grammy";
import type { Update } from "grammy/types";
import type { Hono } from "hono";
import { bodyLimit } from "../../http/body-limit.js";
import { HTTPException } from "hono/http-exception";
import * as z from "zod";
import type { TelegramConfig } from "../../config.js";
import type { ConversationService, Inbound } from "../../conversation/handle-inbound.js";
import { localise } from "../../engine/text.js";
import type { Logger } from "../../log.js";
import type { ServiceMetrics } from "../../metrics.js";
import { countWebhookErrors, handleCounted } from "../inbound-metrics.js";
import type { AddressCrypto } from "../../store/address-crypto.js";
import type { ConversationStore } from "../../store/types.js";
import type { OutboxDispatcher } from "../outbox-dispatcher.js";
import { planTelegramReplies, telegramGroupNotice } from "./render.js";

export interface TelegramChannelDeps {
  readonly config: TelegramConfig;
  readonly bot: Bot;
  readonly conversation: ConversationService;
  readonly dispatcher: OutboxDispatcher;
  readonly store: ConversationStore;
  readonly addressCrypto: AddressCrypto;
  readonly log: Logger;
  readonly now: Clock;
  /** Send replies before answering the webhook (a runtime that stops work once it has answered; default: on Workers). */
  readonly sendInline?: boolean;
  /** Counts inbound outcomes and step time for /metrics. */
  readonly metrics?: ServiceMetrics;
}

/** Cloudflare Workers may stop an isolate's work once it has answered: there, replies are sent before the answer. */
const onWorkers = typeof navigator !== "undefined" && navigator.userAgent === "Cloudflare-Workers";

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Compares the secret header in constant time for the secret's length (which is no secret),
 * synchronously: an asynchronous check (hashing with WebCrypto) can finish out of order and let
 * one update of a chat overtake another before they reach the resident's queue.
 */
function isSecret(given: string, secret: Uint8Array): boolean {
  const bytes = new TextEncoder().encode(given);
  let difference = bytes.length ^ secret.length;
  for (let i = 0; i < secret.length; i++) difference |= (bytes[i] ?? 0) ^ secret[i]!;
  return difference === 0;
}

const START_PAYLOAD = /^[A-Za-z0-9_-]{1,64}$/;

/** The fields we rely on, with their types; grammY reads the rest. Anything else is a 400. */
const chatShape = z.looseObject({ id: z.number().int(), type: z.enum(["private", "group", "supergroup", "channel"]) });
const userShape = z.looseObject({
  id: z.number().int(),
  is_bot: z.boolean(),
  first_name: z.string(),
  language_code: z.string().max(35).optional(),
});
const updateShape = z
  .looseObject({
    update_id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    message: z
      .looseObject({
        message_id: z.number().int(),
        date: z.number().int(),
        chat: chatShape,
        from: userShape.optional(),
        text: z.string().max(4096).optional(),
      })
      .optional(),
    callback_query: z
      .looseObject({
        id: z.string().min(1),
        from: userShape,
        data: z.string().max(64).optional(),
        message: z.looseObject({ message_id: z.number().int(), chat: chatShape }).optional(),
      })
      .optional(),
    my_chat_member: z
      .looseObject({ chat: chatShape, from: userShape, new_chat_member: z.looseObject({ status: z.string() }) })
      .optional(),
  })
  .refine((u) => Object.keys(u).length >= 2, { message: "an update carries one event besides update_id" });

export function registerTelegramWebhook(app: Hono, deps: TelegramChannelDeps): void {
  const { bot, conversation, dispatcher, log } = deps;
  const sendInline = deps.sendInline ?? onWorkers;
  const secret = new TextEncoder().encode(deps.config.webhookSecret);

  /** Runs one inbound through the host, then queues its replies for sending after the answer (they stay in the outbox if that fails). */
  const converse = async (
    ctx: Context,
    inbound: Omit<Inbound, "channel" | "address" | "messageId" | "render">,
    callbackMessageId?: number,
  ) => {
    const chatId = ctx.chat!.id;
    const outcome = await handleCounted(conversation, deps.metrics, {
      ...inbound,
      channel: "telegram",
      address: String(chatId),
      messageId: String(ctx.update.update_id),
      ...(ctx.from?.language_code ? { languageHint: ctx.from.language_code } : {}),
      render: (replies, contact) => planTelegramReplies(replies, contact.language, callbackMessageId).payloads,
      claimMs: dispatcher.leaseMs,
    });
    const sent = sendInline
      ? dispatcher.sendClaimed(outcome.queued, outcome.contact.id, String(chatId))
      : dispatcher.queueClaimed(outcome.queued, outcome.contact.id, String(chatId));
    // A goodbye or a file goes after the replies before it, so this rare request waits for them.
    if (sendInline || outcome.erased || outcome.export) await sent;
    if (outcome.erased) {
      // The contact (and so its outbox) is gone: say goodbye directly.
      for (const payload of planTelegramReplies(outcome.replies, outcome.contact.language).payloads) {
        if (payload.method === "sendMessage") await ctx.api.sendMessage(chatId, payload.text);
      }
    }
    if (outcome.export) {
      await ctx.api.sendDocument(
        chatId,
        new InputFile(new TextEncoder().encode(outcome.export.json), outcome.export.filename),
      );
    }
    return outcome;
  };

  bot.on("message", async (ctx) => {
    const chat = ctx.chat;
    if (chat.type !== "private") {
      // Flows never run in groups; say so once per group.
      const hash = await deps.addressCrypto.hash("telegram-group", String(chat.id));
      if (await deps.store.recordInbound(`telegram-group:${hash}`, "telegram", deps.now())) {
        const language = ctx.from?.language_code?.startsWith("cy") ? "cy" : "en";
        const link = `https://t.me/${bot.botInfo.username}`;
        await ctx.api.sendMessage(chat.id, localise(telegramGroupNotice, language).replace("{link}", link));
      }
      return;
    }
    const text = ctx.message.text;
    if (text !== undefined) {
      const start = /^\/start(?:@\w+)?(?:\s+(\S+))?\s*$/.exec(text.trim());
      if (start) {
        const payload = start[1];
        await converse(ctx, {
          input: { type: "start" },
          ...(payload && START_PAYLOAD.test(payload) ? { attribution: payload } : {}),
        });
        return;
      }
      await converse(ctx, { input: { type: "text", text } });
      return;
    }
    // Stickers, photos, voice notes, locations…: say so, and show the question again. A
    // location cannot be turned into a postcode district offline, so the question stands.
    await converse(ctx, { input: { type: "resume" }, notice: "text_only" });
  });

  bot.on("callback_query:data", async (ctx) => {
    let toast: string | undefined;
    try {
      if (!ctx.chat || ctx.chat.type !== "private") return;
      const messageId = ctx.callbackQuery.message?.message_id;
      const outcome = await converse(ctx, { input: { type: "button", payload: ctx.callbackQuery.data } }, messageId);
      toast = planTelegramReplies(outcome.replies, outcome.contact.language, messageId).toast;
    } finally {
      // Always answered, or the resident's button spins for a minute.
      await ctx
        .answerCallbackQuery(toast ? { text: toast } : {})
        .catch((error: Error) => log.warn("answerCallbackQuery failed", { error: error.message.slice(0, 120) }));
    }
  });

  // A button press without data (a game button, or a client bug) still has to be answered.
  bot.on("callback_query", async (ctx) => {
    await ctx.answerCallbackQuery().catch(() => undefined);
  });

  bot.on("my_chat_member", async (ctx) => {
    if (ctx.chat.type !== "private") return;
    // The resident blocked the bot: treat it as STOP, quietly (we could not reply anyway).
    if (ctx.myChatMember.new_chat_member.status === "kicked")
      await converse(ctx, { input: { type: "text", text: "STOP" }, quietStop: true });
  });

  app.use("/webhooks/telegram", countWebhookErrors(deps.metrics, "telegram"));
  app.post(
    "/webhooks/telegram",
    async (c, next) => {
      const given = c.req.header("X-Telegram-Bot-Api-Secret-Token");
      if (!given || !isSecret(given, secret)) {
        return c.json({ error: "unauthorized", message: "Missing or wrong X-Telegram-Bot-Api-Secret-Token" }, 401);
      }
      await next();
    },
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json({ error: "payload_too_large", message: "Updates are at most 1 MB" }, 413),
    }),
    async (c) => {
      if (!(c.req.header("Content-Type") ?? "").toLowerCase().startsWith("application/json")) {
        return c.json({ error: "unsupported_media_type", message: "Telegram updates are application/json" }, 415);
      }
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return c.json({ error: "bad_request", message: "Body is not valid JSON" }, 400);
      }
      const shape = updateShape.safeParse(body);
      if (!shape.success) {
        return c.json(
          {
            error: "bad_request",
            message:
              `Not a Telegram update: ${shape.error.issues[0]?.path.join(".") || "body"} ${shape.error.issues[0]?.message ?? ""}`.trim(),
          },
          400,
        );
      }
      try {
        await bot.handleUpdate(body as Update);
      } catch (error) {
        const cause = (error as { error?: unknown }).error ?? error;
        if (cause instanceof HTTPException) throw cause;
        throw cause;
      }
      return c.json({ ok: true });
    },
  );
}
