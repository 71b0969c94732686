// Engine output as SMS: numbered options, plain-text hints, GSM-friendly characters, and as
// few messages as the segment budget allows. Replies of one step are joined into one SMS when
// they fit the budget together; otherwise each reply goes as its own message, in order.
import { renderAskPlain, renderSignpostPlain, type OutboundEffect } from "../../conversation/render-plain.js";
import { segmentInfo, toGsmFriendly } from "./gsm.js";

/** Splits a text that is over budget at paragraph, then line, then sentence boundaries. */
function fitBudget(text: string, maxSegments: number): string[] {
  if (segmentInfo(text).segments <= maxSegments) return [text];
  for (const separator of ["\n\n", "\n", ". "]) {
    const pieces = text.split(separator);
    if (pieces.length < 2) continue;
    const chunks: string[] = [];
    let current = "";
    for (const piece of pieces) {
      const joined = current ? `${current}${separator}${piece}` : piece;
      if (current && segmentInfo(joined).segments > maxSegments) {
        chunks.push(current);
        current = piece;
      } else current = joined;
    }
    chunks.push(current);
    if (chunks.length > 1) return chunks.flatMap((c) => fitBudget(c, maxSegments));
  }
  return [text]; // one sentence longer than the budget: sent whole rather than cut mid-word
}

export function renderSms(replies: readonly OutboundEffect[], language: string, maxSegments: number): string[] {
  const parts = replies.flatMap((reply) => {
    let text: string;
    if (reply.type === "signpost") {
      // Services are long: drop links, then descriptions, before splitting a reply.
      for (const detail of ["full", "no_links", "brief"] as const) {
        text = toGsmFriendly(renderSignpostPlain(reply, language, detail)).trim();
        if (segmentInfo(text).segments <= maxSegments) break;
      }
      return fitBudget(text!, maxSegments);
    }
    text = toGsmFriendly(reply.type === "send" ? reply.text : renderAskPlain(reply, language)).trim();
    return text.length > 0 ? fitBudget(text, Math.max(maxSegments, reply.smsSegments ?? 0)) : [];
  });
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
