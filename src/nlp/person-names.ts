// Finds people's names in a message by the words around them ("my name is …", "I'm …",
// "my neighbour …", "Mrs …", "ask for …", a "- Kev" sign-off) and by a list of common first
// names. Rules only: a statistical tagger (compromise) took ~2.6 ms a message here and read
// "Trent" in "Stoke-on-Trent" as a person; these rules take microseconds and never touch a
// protected place name.
import { FIRST_NAMES, NOT_NAMES, PROTECTED_WORDS, RELATION_WORDS, TITLES, WORD_LIKE_NAMES } from "./name-lists.js";

export interface TextSpan {
  readonly start: number;
  readonly end: number;
}

interface Piece {
  readonly text: string;
  readonly lower: string;
  readonly start: number;
  readonly end: number;
  readonly word: boolean;
  /** Starts with a capital and is not all capitals ("Kev", not "NHS"). */
  readonly capitalised: boolean;
}

const PIECES = /\p{L}[\p{L}'’-]*\p{L}|\p{L}|\d+|\n|[^\s\p{L}\d]/gu;

function piecesOf(text: string): Piece[] {
  const pieces: Piece[] = [];
  for (const m of text.matchAll(PIECES)) {
    const piece = m[0];
    const word = /^\p{L}/u.test(piece);
    const lower = piece.toLowerCase().replace(/’/g, "'");
    const capitalised = word && /^\p{Lu}/u.test(piece) && (piece.length === 1 || piece !== piece.toUpperCase());
    pieces.push({ text: piece, lower, start: m.index, end: m.index + piece.length, word, capitalised });
  }
  return pieces;
}

function isProtected(lower: string): boolean {
  if (PROTECTED_WORDS.has(lower)) return true;
  // "Stoke-on-Trent", "Newcastle-under-Lyme": any protected part protects the whole word.
  return lower.includes("-") && lower.split("-").some((part) => PROTECTED_WORDS.has(part));
}

/** Could be a name at all: a word that is not a place, a common word, or too short. */
function nameShaped(piece: Piece | undefined): piece is Piece {
  if (!piece || !piece.word || piece.text.length < 2) return false;
  const lower = piece.lower.replace(/'s$/, "");
  return !isProtected(lower) && !NOT_NAMES.has(lower) && !TITLES.has(lower);
}

function isListedName(piece: Piece, includeWordLike: boolean): boolean {
  const lower = piece.lower.replace(/'s$/, "");
  return FIRST_NAMES.has(lower) || (includeWordLike && WORD_LIKE_NAMES.has(lower));
}

type Leniency =
  /** "my name is …": any word that is not a common word, any case. */
  | "named"
  /** after a trigger ("my neighbour …", "ask for …"): a listed name, or any capitalised word. */
  | "triggered"
  /** a listed first name only (word-like names too). */
  | "listed";

function acceptsFirst(piece: Piece | undefined, leniency: Leniency): piece is Piece {
  if (!nameShaped(piece)) return false;
  if (leniency === "listed") return isListedName(piece, true);
  if (leniency === "triggered") return isListedName(piece, true) || piece.capitalised;
  return true;
}

/** The end of a name starting at pieces[i]: up to two more capitalised words (surnames). */
function nameEnd(pieces: readonly Piece[], i: number, lowerCaseSurnames: boolean): number {
  let last = i;
  for (let j = i + 1; j < pieces.length && j <= i + 2; j++) {
    const next = pieces[j]!;
    if (!nameShaped(next) || (!next.capitalised && !(lowerCaseSurnames && !pieces[i]!.capitalised))) break;
    last = j;
  }
  return last;
}

function words(pieces: readonly Piece[], i: number, phrase: readonly string[]): boolean {
  for (let k = 0; k < phrase.length; k++) if (pieces[i + k]?.lower !== phrase[k]) return false;
  return true;
}

const NAMED_TRIGGERS: readonly (readonly string[])[] = [
  ["my", "name", "is"],
  ["my", "name's"],
  ["my", "names"],
  ["name", "is"],
  ["name", ":"],
  ["my", "details", ":"],
  ["i", "am", "called"],
  ["i'm", "called"],
  ["im", "called"],
  ["fy", "enw", "i", "yw"],
  ["fy", "enw", "yw"],
  ["fy", "enw", "i", "ydy"],
  ["fy", "enw", "ydy"],
];
const SELF_TRIGGERS: readonly (readonly string[])[] = [["i", "am"], ["i'm"], ["im"], ["i", "m"]];
const LISTED_TRIGGERS: readonly (readonly string[])[] = [["this", "is"], ["it's"], ["its"], ["from"], ["call", "me"]];
const CONTACT_TRIGGERS: readonly (readonly string[])[] = [
  ["ask", "for"],
  ["speak", "to"],
  ["talk", "to"],
  ["contact"],
  ["written", "by"],
  ["signed"],
  ["thanks"],
  ["thank", "you"],
  ["cheers"],
  ["regards"],
  ["best", "wishes"],
  ["love"],
  ["ta"],
  ["many", "thanks"],
  ["sincerely"],
  ["yours"],
  ["diolch"],
  ["cofion"],
  ["ring"],
  ["phone"],
  ["text"],
];
const TRIGGERS_BY_FIRST_WORD = new Map<string, Set<readonly string[]>>();
for (const trigger of [...NAMED_TRIGGERS, ...SELF_TRIGGERS, ...LISTED_TRIGGERS, ...CONTACT_TRIGGERS]) {
  const first = trigger[0]!;
  if (!TRIGGERS_BY_FIRST_WORD.has(first)) TRIGGERS_BY_FIRST_WORD.set(first, new Set());
  TRIGGERS_BY_FIRST_WORD.get(first)!.add(trigger);
}
// After "I'm X" an unlisted capitalised word is a name only where a name would end.
const AFTER_SELF_NAME: ReadonlySet<string> = new Set([
  ",",
  ".",
  "!",
  "\n",
  "-",
  "and",
  "from",
  "here",
  "i",
  "im",
  "i'm",
  "aged",
  "age",
  "of",
  "in",
  "at",
  "my",
  "&",
]);
const DASHES: ReadonlySet<string> = new Set(["-", "–", "—", "~"]);

/** Spans of personal names in `text`. */
export function findNames(text: string): TextSpan[] {
  // Most messages have no capital letter after the first and no trigger: skip them quickly.
  if (!/\p{Lu}/u.test(text.slice(1)) && !/\b(?:name|enw|called|i\s*a?'?m)\b/i.test(text)) return [];
  const pieces = piecesOf(text);
  const spans: TextSpan[] = [];
  let lastWordOrComma = pieces.length - 1;
  while (lastWordOrComma >= 0 && !pieces[lastWordOrComma]!.word && pieces[lastWordOrComma]!.text !== ",")
    lastWordOrComma--;
  const take = (first: number, lowerCaseSurnames = false): number => {
    const last = nameEnd(pieces, first, lowerCaseSurnames);
    spans.push({ start: pieces[first]!.start, end: pieces[last]!.end });
    return last;
  };
  let i = 0;
  while (i < pieces.length) {
    const piece = pieces[i]!;
    let next = i + 1;

    // Mrs Patel, Rev. Margaret Evans, Cllr Smith
    if (piece.word && TITLES.has(piece.lower) && (piece.capitalised || piece.lower.length <= 4)) {
      let j = i + 1;
      if (pieces[j]?.text === ".") j++;
      const candidate = pieces[j];
      if (candidate?.capitalised && nameShaped(candidate)) {
        const last = take(j);
        spans[spans.length - 1] = { start: piece.start, end: pieces[last]!.end };
        i = last + 1;
        continue;
      }
    }

    const candidates = TRIGGERS_BY_FIRST_WORD.get(piece.lower);
    const matched = (triggers: readonly (readonly string[])[]): number => {
      if (!candidates) return -1;
      for (const trigger of triggers)
        if (candidates.has(trigger) && words(pieces, i, trigger)) return i + trigger.length;
      return -1;
    };

    let at = matched(NAMED_TRIGGERS);
    if (at >= 0 && acceptsFirst(pieces[at], "named")) {
      i = take(at, true) + 1;
      continue;
    }
    at = matched(SELF_TRIGGERS);
    if (at >= 0) {
      const candidate = pieces[at];
      const after = pieces[nameEnd(pieces, at, false) + 1];
      if (
        acceptsFirst(candidate, "listed") ||
        (acceptsFirst(candidate, "triggered") && (!after || AFTER_SELF_NAME.has(after.lower) || !after.word))
      ) {
        i = take(at) + 1;
        continue;
      }
    }
    at = matched(LISTED_TRIGGERS);
    if (at >= 0 && pieces[at]?.capitalised && acceptsFirst(pieces[at], "listed")) {
      i = take(at) + 1;
      continue;
    }
    at = matched(CONTACT_TRIGGERS);
    if (at >= 0) {
      if (pieces[at]?.text === ",") at++;
      if (pieces[at]?.capitalised && acceptsFirst(pieces[at], "triggered")) {
        i = take(at) + 1;
        continue;
      }
    }
    // my neighbour John, my dad, Peter Shaw, our Kev
    if ((piece.lower === "my" || piece.lower === "our") && pieces[i + 1]) {
      let j = i + 1;
      if (RELATION_WORDS.has(pieces[j]!.lower)) {
        j++;
        if (pieces[j]?.text === ",") j++;
        if (pieces[j]?.capitalised && acceptsFirst(pieces[j], "triggered")) {
          i = take(j) + 1;
          continue;
        }
      } else if (piece.lower === "our" && pieces[j]!.capitalised && acceptsFirst(pieces[j], "listed")) {
        i = take(j) + 1;
        continue;
      }
    }
    // "… - Kev", "— Bev." : a dash, a name, then the end of a sentence or of the message
    if (DASHES.has(piece.text) && i > 0 && text[piece.start - 1] !== undefined && /\s/.test(text[piece.start - 1]!)) {
      const candidate = pieces[i + 1];
      if (candidate?.capitalised && acceptsFirst(candidate, "triggered")) {
        const last = nameEnd(pieces, i + 1, false);
        const after = pieces[last + 1];
        if (!after || !after.word) {
          i = take(i + 1) + 1;
          continue;
        }
      }
    }
    // "…, Pat" closing the message
    if (piece.text === "," && pieces[i + 1]?.capitalised && acceptsFirst(pieces[i + 1], "listed")) {
      const last = nameEnd(pieces, i + 1, false);
      if (last >= lastWordOrComma) {
        i = take(i + 1) + 1;
        continue;
      }
    }
    // A common first name anywhere ("Mohammed Khan", "Tyler got stabbed")
    if (piece.capitalised && nameShaped(piece) && isListedName(piece, false) && !WORD_LIKE_NAMES.has(piece.lower)) {
      next = take(i) + 1;
    }
    i = next;
  }
  return spans;
}
