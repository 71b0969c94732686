import type { LocalisedText } from "./types.js";

/** Picks the contact's language, falling back to English, then to whatever the text has. */
export function localise(text: LocalisedText, language: string): string {
  return text[language] ?? text.en ?? Object.values(text)[0] ?? "";
}

/** `text` as a RegExp source that matches it literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Replaces `{name}` placeholders; unknown names are left as they are so authors notice. */
export function interpolate(
  text: string,
  variables: Readonly<Record<string, string>> | (() => Readonly<Record<string, string>>),
): string {
  if (!text.includes("{")) return text;
  const values = typeof variables === "function" ? variables() : variables;
  return text.replace(/\{([a-z_][a-z0-9_.]*)\}/gi, (whole, name: string) => values[name] ?? whole);
}

/** Lower-cases, strips accents and punctuation, collapses spaces: how replies are compared. */
export function normaliseReply(text: string): string {
  // Most replies are plain ASCII: skip the (costly) Unicode decomposition for them.
  const folded = /^[\x20-\x7e]*$/.test(text) ? text : text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  return folded
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

// Two reusable rows: replies are short (a few words), and this runs for every option word.
let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/** Levenshtein distance, stopping early once it exceeds `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  if (b.length + 1 > rowA.length) {
    rowA = new Int32Array(b.length + 1);
    rowB = new Int32Array(b.length + 1);
  }
  let previous = rowA;
  let current = rowB;
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    const swap = previous;
    previous = current;
    current = swap;
  }
  return previous[b.length]!;
}

/** How many typing mistakes a word of this length may carry and still be recognised. */
export function typoAllowance(word: string): number {
  if (word.length <= 3) return 0;
  if (word.length <= 6) return 1;
  return 2;
}

/**
 * Welsh "and" before a word: "ac" before a vowel, and the aspirate mutation after "a"
 * (c → ch, p → ph, t → th): "Tai a Chostau byw", "Tai ac Iechyd a lles".
 */
export function welshAnd(next: string): string {
  if (/^[aeiouâêîôûŵŷáéíóú]/i.test(next)) return `ac ${next}`;
  const m = /^([CcPpTt])(?![Hh])(.*)$/s.exec(next);
  if (!m) return `a ${next}`;
  return `a ${m[1]}h${m[2]}`;
}

/** "1 flwyddyn", "2 flynedd", "3 blynedd", "5 mlynedd": a number of years as Welsh says it. */
export function welshYears(n: number): string {
  if (!Number.isInteger(n)) return `${n} o flynyddoedd`;
  if (n === 1) return "1 flwyddyn";
  if (n === 2) return "2 flynedd";
  if (n === 3 || n === 4 || n === 6) return `${n} blynedd`;
  return `${n} mlynedd`;
}
