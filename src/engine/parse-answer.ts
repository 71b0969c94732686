// Turns a typed reply into an answer for a question, or says why it could not.
// Accepts what residents actually type over SMS: "2", "2,5", "2 and 5", the option's words,
// small misspellings, "yes please", a postcode inside a sentence.
import { isValid as isValidPostcode, match as findPostcodes, toOutcode, validOutcode } from "postcode";
import { engineMessages, languageNames } from "./messages.js";
import { editDistance, normaliseReply, typoAllowance } from "./text.js";
import type { AnswerValue, ChoiceOption, LocalisedText, QuestionInput } from "./types.js";

export type ParsedAnswer =
  | {
      readonly ok: true;
      readonly value: AnswerValue;
      /** ids or text to echo back, when the reply was typed */ readonly understood?: readonly string[];
    }
  | { readonly ok: false; readonly problem: LocalisedText; readonly vars?: Readonly<Record<string, string>> };

const YES = new Set([
  "yes",
  "y",
  "yeah",
  "yep",
  "yup",
  "ye",
  "yes please",
  "ok",
  "okay",
  "sure",
  "agree",
  "i agree",
  "ie",
  "iawn",
  "do",
  "ydw",
  "ydy",
  "ydi",
  "yndi",
  "ia",
  "oes",
  // The answer echoes the question's verb in Welsh: "Hoffech chi…?" "Hoffwn"; "Gawn ni…?" "Cewch".
  "hoffwn",
  "cewch",
  "cei",
  "gallwch",
  "galli",
  "gwnaf",
  "byddwn",
  "ydy iawn",
  "ydi iawn",
  "cytuno",
  "wrth gwrs",
  "yes thanks",
  "go on",
  "👍",
]);
const NO = new Set([
  "no",
  "n",
  "nope",
  "nah",
  "no thanks",
  "no thank you",
  "na",
  "nac",
  "naddo",
  "nac ydw",
  "nac ydy",
  "nac ydi",
  "nag oes",
  "nac oes",
  "nage",
  "na hoffwn",
  "na chewch",
  "na chei",
  "na allwch",
  "na alli",
  "na wnaf",
  "na fyddwn",
  "dim diolch",
  "dim",
  "don t",
  "disagree",
  "👎",
]);

const YES_NO_OPTIONS: readonly ChoiceOption[] = [
  { id: "yes", label: { en: "Yes", cy: "Ie" } },
  { id: "no", label: { en: "No", cy: "Na" } },
];

export function yesNoOptions(): readonly ChoiceOption[] {
  return YES_NO_OPTIONS;
}

const LANGUAGE_ALIASES: Readonly<Record<string, readonly string[]>> = {
  en: ["english", "saesneg", "eng"],
  cy: ["cymraeg", "welsh", "cym"],
};
const languageOptionCache = new Map<string, readonly ChoiceOption[]>();

export function languageOptions(languages: readonly string[]): readonly ChoiceOption[] {
  const key = languages.join(",");
  let options = languageOptionCache.get(key);
  if (!options) {
    options = languages.map((code) => ({
      id: code,
      label: { en: languageNames[code] ?? code },
      synonyms: { en: [code, ...(LANGUAGE_ALIASES[code] ?? [])] },
    }));
    languageOptionCache.set(key, options);
  }
  return options;
}

/** The options a question offers, including the implicit ones of yes/no and language questions. */
export function optionsOf(input: QuestionInput, languages: readonly string[]): readonly ChoiceOption[] {
  switch (input.kind) {
    case "single_choice":
    case "multi_choice":
      return input.options;
    case "yes_no":
      return yesNoOptions();
    case "language":
      return languageOptions(languages);
    default:
      return [];
  }
}

export function parseAnswer(input: QuestionInput, reply: string, languages: readonly string[]): ParsedAnswer {
  switch (input.kind) {
    case "single_choice":
    case "language":
      return parseSingleChoice(optionsOf(input, languages), reply);
    case "multi_choice":
      return parseMultiChoice(input.options, reply, input.maxPicks, input.minPicks);
    case "yes_no":
      return parseYesNo(reply);
    case "number":
      return parseNumber(reply, input.min, input.max, input.integer);
    case "text":
      return parseText(reply, input.maxLength, input.minLength);
    case "postcode":
      return parsePostcode(reply);
  }
}

// Options come from loaded flows and live as long as them; their normalised words are worked
// out once, not on every reply (this alone is most of the engine's speed).
interface Candidates {
  readonly words: readonly string[];
  /** The same words with a space either side, for whole-word search inside a reply. */
  readonly padded: readonly string[];
}
const candidateCache = new WeakMap<ChoiceOption, Candidates>();

function candidatesOf(option: ChoiceOption): readonly string[] {
  return candidateSets(option).words;
}

function candidateSets(option: ChoiceOption): Candidates {
  const cached = candidateCache.get(option);
  if (cached) return cached;
  const words = [...Object.values(option.label), option.id.replace(/_/g, " ")];
  for (const list of Object.values(option.synonyms ?? {})) words.push(...list);
  const unique = [...new Set(words.map(normaliseReply).filter((w) => w.length > 0))];
  const sets = { words: unique, padded: unique.filter((w) => w.length >= 3).map((w) => ` ${w} `) };
  candidateCache.set(option, sets);
  return sets;
}

/** Finds the one option a fragment of a reply names, by number, words or a near miss. */
function matchOption(options: readonly ChoiceOption[], fragment: string): ChoiceOption | undefined {
  const text = normaliseReply(fragment);
  if (text.length === 0) return undefined;
  if (/^\d+$/.test(text)) return options[Number(text) - 1];
  const exact = wordIndex(options).get(text);
  if (exact) return exact;
  // The reply contains an option's words ("i'd say housing"): only when exactly one does.
  const padded = ` ${text} `;
  const containing = options.filter((o) => candidateSets(o).padded.some((c) => padded.includes(c)));
  if (containing.length === 1) return containing[0];
  return nearOption(options, text);
}

/** The option a near miss ("transprot", "housng") names, if it is clearly the closest. */
function nearOption(options: readonly ChoiceOption[], text: string): ChoiceOption | undefined {
  let best: { option: ChoiceOption; distance: number } | undefined;
  let tie = false;
  for (const option of options) {
    for (const candidate of candidatesOf(option)) {
      const limit = typoAllowance(candidate);
      if (limit === 0) continue;
      const distance = editDistance(text, candidate, limit);
      if (distance > limit) continue;
      if (!best || distance < best.distance) {
        best = { option, distance };
        tie = false;
      } else if (distance === best.distance && best.option !== option) tie = true;
    }
  }
  return best && !tie ? best.option : undefined;
}

function parseSingleChoice(options: readonly ChoiceOption[], reply: string): ParsedAnswer {
  const option = matchOption(options, reply);
  if (!option) return { ok: false, problem: engineMessages.chooseNumber };
  return { ok: true, value: option.id, understood: [option.id] };
}

/** Words that join or pad a list of choices and name none ("housing and the buses"). */
const FILLER = new Set([
  "and",
  "or",
  "a",
  "ac",
  "neu",
  "the",
  "an",
  "my",
  "our",
  "more",
  "better",
  "also",
  "plus",
  "with",
  "y",
  "yr",
  "i",
  "a r",
  "both",
  "please",
  "thanks",
]);
/** Longest option label, in words, tried as one span. */
const MAX_SPAN = 7;

function parseMultiChoice(
  options: readonly ChoiceOption[],
  reply: string,
  maxPicks: number,
  minPicks: number,
): ParsedAnswer {
  const problem = { ok: false as const, problem: engineMessages.chooseNumbers, vars: { max: String(maxPicks) } };
  // Read the reply left to right, taking at each point the longest run of words that names an
  // option exactly (so "jobs and skills" and "parciau, sbwriel a mannau gwyrdd" stay whole),
  // then near misses ("housng"); joining words are skipped; anything else is not understood.
  const tokens = normaliseReply(reply)
    .split(" ")
    .filter((t) => t.length > 0);
  if (tokens.length === 0 || tokens.length > 60) return problem;
  const picked: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    let found: { option: ChoiceOption; length: number } | undefined;
    const longest = Math.min(MAX_SPAN, tokens.length - i);
    for (let length = longest; length >= 1 && !found; length--) {
      const option = exactOption(options, tokens.slice(i, i + length).join(" "));
      if (option) found = { option, length };
    }
    if (!found && FILLER.has(tokens[i]!)) {
      i++;
      continue;
    }
    for (let length = longest; length >= 1 && !found; length--) {
      const option = nearOption(options, tokens.slice(i, i + length).join(" "));
      if (option) found = { option, length };
    }
    if (!found) return problem;
    if (!picked.includes(found.option.id)) picked.push(found.option.id);
    i += found.length;
  }
  if (picked.length === 0) return problem;
  return checkPickCount(picked, maxPicks, minPicks) ?? { ok: true, value: picked, understood: picked };
}

/** Every option word of a question, to the option it names (null when two options share it). */
const wordIndexCache = new WeakMap<readonly ChoiceOption[], Map<string, ChoiceOption | null>>();

function wordIndex(options: readonly ChoiceOption[]): Map<string, ChoiceOption | null> {
  let index = wordIndexCache.get(options);
  if (!index) {
    index = new Map();
    for (const option of options) {
      for (const word of candidatesOf(option)) {
        const existing = index.get(word);
        index.set(word, existing === undefined || existing === option ? option : null);
      }
    }
    wordIndexCache.set(options, index);
  }
  return index;
}

/** An option named by its number or exactly by one of its words. */
function exactOption(options: readonly ChoiceOption[], text: string): ChoiceOption | undefined {
  if (/^\d+$/.test(text)) return options[Number(text) - 1];
  return wordIndex(options).get(text) ?? undefined;
}

export function checkPickCount(
  picked: readonly string[],
  maxPicks: number,
  minPicks: number,
): ParsedAnswer | undefined {
  if (picked.length > maxPicks)
    return { ok: false, problem: engineMessages.tooManyPicks, vars: { max: String(maxPicks) } };
  if (picked.length < minPicks)
    return { ok: false, problem: engineMessages.tooFewPicks, vars: { min: String(minPicks) } };
  return undefined;
}

function parseYesNo(reply: string): ParsedAnswer {
  const text = normaliseReply(reply) || reply.trim();
  if (text === "1" || YES.has(text) || /^(yes|yeah|yep|ie|iawn|ydy|ydi|yndi|hoffwn|cewch|gallwch)\b/.test(text))
    return { ok: true, value: true };
  if (text === "2" || NO.has(text) || /^(no|nope|nah|na|nac|nag|nage)\b/.test(text)) return { ok: true, value: false };
  return { ok: false, problem: engineMessages.yesOrNo };
}

function parseNumber(reply: string, min: number, max: number, integer: boolean): ParsedAnswer {
  const problem = { ok: false as const, problem: engineMessages.number, vars: { min: String(min), max: String(max) } };
  const found = /-?\d+(?:\.\d+)?/.exec(reply.replace(/,/g, ""));
  if (!found) return problem;
  const value = Number(found[0]);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) return problem;
  return { ok: true, value };
}

function parseText(reply: string, maxLength: number, minLength: number): ParsedAnswer {
  const text = reply.trim().replace(/\s+/g, " ");
  if (text.length > maxLength)
    return { ok: false, problem: engineMessages.textTooLong, vars: { max: String(maxLength) } };
  // Emoji or punctuation alone carry no words to analyse.
  if (text.length < Math.max(1, minLength) || !/[\p{L}\p{N}]/u.test(text))
    return { ok: false, problem: engineMessages.textEmpty };
  return { ok: true, value: text };
}

/** The shape of a postcode district (outcode) such as ST6 or CF10, in capitals: how areas are named everywhere. */
export const POSTCODE_DISTRICT = /^[A-Z]{1,2}\d[A-Z\d]?$/;

/** Reduces a postcode to its district (`ST6 1AA` -> `ST6`); the full postcode is never returned. */
export function postcodeDistrict(reply: string): string | undefined {
  const compact = reply.trim().toUpperCase();
  if (isValidPostcode(compact)) return toOutcode(compact) ?? undefined;
  const inside = findPostcodes(compact).find((p) => isValidPostcode(p));
  if (inside) return toOutcode(inside) ?? undefined;
  const outcode = compact.replace(/\s+/g, "");
  if (POSTCODE_DISTRICT.test(outcode) && validOutcode(outcode)) return outcode;
  return undefined;
}

function parsePostcode(reply: string): ParsedAnswer {
  const district = postcodeDistrict(reply.slice(0, 200));
  if (!district) return { ok: false, problem: engineMessages.postcode };
  return { ok: true, value: district, understood: [district] };
}
