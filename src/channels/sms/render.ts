// Engine output as SMS: numbered options, plain-text hints, GSM-friendly characters, and as
// few messages as the segment budget allows. Replies of one step are joined into one SMS when
// they fit the budget together; otherwise each reply goes as its own message, in order.
import { renderPlain, type OutboundEffect } from "../../conversation/render-plain.js";
import { segmentInfo, toGsmFriendly } from "./gsm.js";

export function renderSms(replies: readonly OutboundEffect[], language: string, maxSegments: number): string[] {
  const parts = renderPlain(replies, language).map((text) => toGsmFriendly(text).trim()).filter((t) => t.length > 0);
  const messages: string[] = [];
  let current = "";
  for (const part of parts) {
    const joined = current ? `${current}\n\n${part}` : part;
    if (!current || segmentInfo(joined).segments <= maxSegments) {
      current = joined;
      continue;
    }
    messages.push(current);
    current = part;
  }
  if (current) messages.push(current);
  return messages;
}
