import type { LocalisedText } from "./types.js";

/** Picks the contact's language, falling back to English, then to whatever the text has. */
export function localise(text: LocalisedText, language: string): string {
  return text[language] ?? text.en ?? Object.values(text)[0] ?? "";
}

/** Replaces `{name}` placeholders; unknown names are left as they are so authors notice. */
export function interpolate(text: string, variables: Readonly<Record<string, string>>): string {
  return text.replace(/\{([a-z_][a-z0-9_.]*)\}/gi, (whole, name: string) => variables[name] ?? whole);
}

/** Lower-cases, strips accents and punctuation, collapses spaces: how replies are compared. */
export function normaliseReply(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Levenshtein distance, stopping early once it exceeds `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length]!;
}

/** How many typing mistakes a word of this length may carry and still be recognised. */
export function typoAllowance(word: string): number {
  if (word.length <= 3) return 0;
  if (word.length <= 6) return 1;
  return 2;
}
