// The grammY bot: created with its own identity (no getMe at start) and the configured API
// root, so tests point it at a local fake Bot API.
import { Bot, GrammyError, HttpError, type ApiClientOptions } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { TelegramConfig } from "../../config.js";
import type { ChannelSender, SendResult } from "../outbox-dispatcher.js";
import type { TelegramPayload } from "./render.js";

export function botInfoFor(config: Pick<TelegramConfig, "token" | "username">): UserFromGetMe {
  return {
    id: Number(config.token.split(":")[0]),
    is_bot: true,
    first_name: config.username ?? "PlaceVoice",
    username: config.username ?? "placevoice_bot",
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  };
}

/** A fetch for Bot API calls, where the runtime has a cheaper one than grammY's default. */
export type BotApiFetch = NonNullable<ApiClientOptions["fetch"]>;

export function createBot(config: TelegramConfig, fetch?: BotApiFetch): Bot {
  return new Bot(config.token, {
    botInfo: botInfoFor(config),
    client: { apiRoot: config.apiRoot, timeoutSeconds: 10, ...(fetch ? { fetch } : {}) },
  });
}

/** Classifies a Bot API failure for the outbox: stop, wait, give up or try again. */
export function classifyTelegramError(error: unknown): Extract<SendResult, { ok: false }> {
  if (error instanceof GrammyError) {
    const description = `${error.error_code} ${error.description}`;
    if (error.error_code === 403) return { ok: false, error: description, stopContact: true };
    if (error.error_code === 429)
      return { ok: false, error: description, retryAfterMs: (error.parameters.retry_after ?? 1) * 1000 };
    if (error.error_code >= 400 && error.error_code < 500) return { ok: false, error: description, permanent: true };
    return { ok: false, error: description };
  }
  if (error instanceof HttpError) return { ok: false, error: `network: ${error.message}` };
  return { ok: false, error: (error as Error)?.message ?? "unknown error" };
}

export function telegramSender(bot: Bot, config: TelegramConfig): ChannelSender {
  return {
    channel: "telegram",
    limits: { perSecond: config.maxPerSecond, perKeyPerSecond: config.maxPerChatPerSecond },
    countsPerRecipient: (payload) => (payload as TelegramPayload).method === "sendMessage",
    async send(payload, address): Promise<SendResult> {
      const p = payload as TelegramPayload;
      const chatId = /^-?\d+$/.test(address) ? Number(address) : address;
      try {
        if (p.method === "sendMessage") {
          const sent = await bot.api.sendMessage(
            chatId,
            p.text,
            p.reply_markup ? { reply_markup: p.reply_markup } : {},
          );
          return { ok: true, providerId: String(sent.message_id) };
        }
        await bot.api.editMessageReplyMarkup(
          chatId,
          p.message_id,
          p.reply_markup ? { reply_markup: p.reply_markup } : {},
        );
        return { ok: true };
      } catch (error) {
        // Editing a keyboard to what it already is, or one that is gone, needs no retry.
        if (
          error instanceof GrammyError &&
          error.error_code === 400 &&
          /not modified|message to edit not found|can't be edited/i.test(error.description)
        )
          return { ok: true };
        return classifyTelegramError(error);
      }
    },
  };
}
