// Engine output as Telegram messages: the texts before a question go in the same message as
// the question, choices become an inline keyboard (callback_data is the engine's payload,
// at most 64 bytes), multi-choice shows ticks and a Done button, and a tick toggled on an
// existing keyboard edits that keyboard in place instead of sending a new message.
import type { InlineKeyboardButton, InlineKeyboardMarkup } from "grammy/types";
import { localise } from "../../engine/text.js";
import { renderSignpostPlain, type OutboundEffect } from "../../conversation/render-plain.js";

export type TelegramPayload =
  | { readonly method: "sendMessage"; readonly text: string; readonly reply_markup?: InlineKeyboardMarkup }
  | {
      readonly method: "editMessageReplyMarkup";
      readonly message_id: number;
      readonly reply_markup?: InlineKeyboardMarkup;
    };

export const telegramWords = {
  done: { en: "Done ✔", cy: "Gorffen ✔" },
  skip: { en: "Skip", cy: "Hepgor" },
  tapUpTo: { en: "Tap up to {max}, then Done.", cy: "Tapiwch hyd at {max}, yna Gorffen." },
};

/** Said in a group chat the bot was added to: it talks one to one only. */
export const telegramGroupNotice = {
  en: "Hi! I only talk one to one, so nobody else sees your answers. Message me privately: {link}",
  cy: "Helo! Dim ond un i un rydw i'n siarad, felly does neb arall yn gweld eich atebion. Anfonwch neges breifat ata i: {link}",
};

const MAX_CALLBACK_BYTES = 64;
const MAX_TEXT = 4096;

function button(text: string, data: string): InlineKeyboardButton {
  if (new TextEncoder().encode(data).length > MAX_CALLBACK_BYTES)
    throw new Error(`callback_data over ${MAX_CALLBACK_BYTES} bytes: ${data}`);
  return { text, callback_data: data };
}

export function keyboardFor(
  ask: Extract<OutboundEffect, { type: "ask" }>,
  language: string,
): InlineKeyboardMarkup | undefined {
  if (ask.options.length === 0 && !ask.skipPayload) return undefined;
  const labels = ask.options.map((o) => (o.picked ? `✅ ${o.label}` : o.label));
  const buttons = ask.options.map((o, i) => button(labels[i]!, o.payload));
  // Short labels sit two to a row (yes/no side by side); long ones get a row each.
  const perRow = buttons.length === 2 || labels.every((l) => l.length <= 18) ? 2 : 1;
  const rows: InlineKeyboardButton[][] = [];
  for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
  const last: InlineKeyboardButton[] = [];
  if (ask.donePayload) last.push(button(localise(telegramWords.done, language), ask.donePayload));
  if (ask.skipPayload) last.push(button(localise(telegramWords.skip, language), ask.skipPayload));
  if (last.length > 0) rows.push(last);
  return { inline_keyboard: rows };
}

export interface TelegramPlan {
  readonly payloads: readonly TelegramPayload[];
  /** Short text for answerCallbackQuery (shown as a toast), when a keyboard is edited in place. */
  readonly toast?: string;
}

/**
 * Plans the Bot API calls for one step's replies. `callbackMessageId` is the message whose
 * button was pressed: its keyboard is edited (ticks) or removed (answered).
 */
export function planTelegramReplies(
  replies: readonly OutboundEffect[],
  language: string,
  callbackMessageId?: number,
): TelegramPlan {
  const payloads: TelegramPayload[] = [];
  let pending: string[] = [];
  let toast: string | undefined;
  const refresh = replies.find((r) => r.type === "ask" && r.refresh);
  if (callbackMessageId !== undefined && !refresh) {
    // The question was answered: take its buttons away so they cannot answer anything else.
    payloads.push({ method: "editMessageReplyMarkup", message_id: callbackMessageId });
  }
  for (const reply of replies) {
    if (reply.type === "send") {
      pending.push(reply.text);
      continue;
    }
    if (reply.type === "signpost") {
      pending.push(renderSignpostPlain(reply, language));
      continue;
    }
    if (reply.refresh && callbackMessageId !== undefined) {
      if (pending.length > 0) toast = pending.join(" ").slice(0, 190);
      pending = [];
      const markup = keyboardFor(reply, language);
      payloads.push({
        method: "editMessageReplyMarkup",
        message_id: callbackMessageId,
        ...(markup ? { reply_markup: markup } : {}),
      });
      continue;
    }
    const hint =
      reply.kind === "multi_choice" && (reply.maxPicks ?? 1) > 1
        ? `\n\n${localise(telegramWords.tapUpTo, language).replace("{max}", String(reply.maxPicks))}`
        : "";
    const markup = keyboardFor(reply, language);
    payloads.push({
      method: "sendMessage",
      text: [...pending, reply.text].join("\n\n").concat(hint).slice(0, MAX_TEXT),
      ...(markup ? { reply_markup: markup } : {}),
    });
    pending = [];
  }
  if (pending.length > 0) payloads.push({ method: "sendMessage", text: pending.join("\n\n").slice(0, MAX_TEXT) });
  return { payloads, ...(toast ? { toast } : {}) };
}
