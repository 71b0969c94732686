// How each channel turns replies into outbox payloads, for messages not carried by a webhook
// response (broadcasts, reminders).
import type { ReplyRenderer } from "../conversation/handle-inbound.js";
import { renderSms } from "./sms/render.js";
import type { SmsPayload } from "./sms/sender.js";
import { planTelegramReplies } from "./telegram/render.js";

export function outboxRenderer(channel: string, smsMaxSegments: number): ReplyRenderer | undefined {
  if (channel === "telegram") return (replies, contact) => planTelegramReplies(replies, contact.language).payloads;
  if (channel === "sms")
    return (replies, contact) =>
      renderSms(replies, contact.language, smsMaxSegments).map((body): SmsPayload => ({ body }));
  return undefined;
}
