// Renders engine output as plain text: numbered options and a one-line hint. Used where there
// are no buttons (SMS, the terminal simulator); Telegram renders `ask` as an inline keyboard.
import { interpolate, localise } from "../engine/text.js";
import type { Effect } from "../engine/types.js";
import { hostMessages } from "./messages.js";

export type OutboundEffect = Extract<Effect, { type: "send" | "ask" | "signpost" }>;

export function isOutbound(effect: Effect): effect is OutboundEffect {
  return effect.type === "send" || effect.type === "ask" || effect.type === "signpost";
}

export const signpostWords = {
  // "Ffoniwch" (phone), not "Ffôn": its ô sent every Welsh list of services as UCS-2.
  tel: { en: "Tel", cy: "Ffoniwch" },
  openNow: { en: "open now", cy: "ar agor nawr" },
  email: { en: "Email", cy: "E-bost" },
};

/** How much of each service to show: everything, without links, or name, phone and hours only. */
export type SignpostDetail = "full" | "no_links" | "brief";

export function renderSignpostPlain(
  effect: Extract<Effect, { type: "signpost" }>,
  language: string,
  detail: SignpostDetail = "full",
): string {
  const blocks = [effect.text];
  for (const service of effect.services) {
    const head = detail === "brief" || !service.summary ? service.name : `${service.name}: ${service.summary}`;
    const facts: string[] = [];
    if (service.phone) facts.push(`${localise(signpostWords.tel, language)} ${service.phone}`);
    // A group's email is how to reach it; kept in the briefest form when there is no phone.
    if (service.email && (detail !== "brief" || !service.phone))
      facts.push(`${localise(signpostWords.email, language)} ${service.email}`);
    if (service.hours)
      facts.push(service.openNow ? `${service.hours} (${localise(signpostWords.openNow, language)})` : service.hours);
    if (service.url && detail === "full") facts.push(service.url.replace(/^https?:\/\//, "").replace(/\/$/, ""));
    blocks.push(facts.length > 0 ? `${head}\n${facts.join(". ")}` : head);
  }
  blocks.push(...effect.fallback);
  return blocks.join("\n\n");
}

export function renderAskPlain(ask: Extract<Effect, { type: "ask" }>, language: string): string {
  const lines = [ask.text];
  const yesNo = ask.kind === "yes_no" || ask.kind === "consent";
  if (ask.options.length > 0 && !yesNo) {
    lines.push("", ...ask.options.map((o, i) => `${i + 1}. ${o.label}`));
  }
  const hints: string[] = [];
  if (yesNo) hints.push(localise(hostMessages.hintYesNo, language));
  else if (ask.kind === "multi_choice") {
    const max = ask.maxPicks ?? 1;
    hints.push(
      max > 1
        ? interpolate(localise(hostMessages.hintMulti, language), { max: String(max) })
        : localise(hostMessages.hintMultiOne, language),
    );
  } else if (ask.options.length > 0) hints.push(localise(hostMessages.hintSingle, language));
  if (ask.skipPayload) hints.push(localise(hostMessages.hintSkip, language));
  if (hints.length > 0) lines.push(ask.options.length > 0 && !yesNo ? "" : "", hints.join(" "));
  return lines.join("\n").replace(/\n{3,}/g, "\n\n");
}

/** One string per message, in order. */
export function renderPlain(effects: readonly Effect[], language: string): string[] {
  return effects
    .filter(isOutbound)
    .map((e) =>
      e.type === "send"
        ? e.text
        : e.type === "signpost"
          ? renderSignpostPlain(e, language)
          : renderAskPlain(e, language),
    );
}
