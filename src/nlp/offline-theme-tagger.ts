// Offline theme tagging: free text -> zero or more of the 12 themes, with no network and in
// a few microseconds, so it can run on every free-text answer.
//
// The message is tokenised (text-speak spelt out, plurals stemmed), misspelt words are
// corrected against the lexicon (fuzzy-vocabulary.ts), then the longest lexicon phrase is
// taken at each position. A theme is tagged when its clues add up to 1: a strong word alone,
// or two weak ones; in a short answer ("kids", "cheaper food") weak words count fully.
// Clues that are negated ("no problem with the buses", "the bins are fine") count for nothing,
// and so do the words of street names ("Station Road"). A clue set against another theme
// ("not the roads, it's the jobs", "the bins are worse than the buses", "the shops are better,
// it's the drug dealing") counts for nothing when the message raises something else, and as
// usual when it does not ("Burslem's high street is better than Hanley's").
import { THEMES, type ThemeId } from "../directory/themes.js";
import { FuzzyVocabulary } from "./fuzzy-vocabulary.js";
import { LEARNED_PHRASES } from "./learned-phrases.js";
import { FIRST_NAMES, PROTECTED_WORDS } from "./name-lists.js";
import { REAL_WORDS } from "./real-words.js";
import {
  FILLER_WORDS,
  IGNORED_PHRASES,
  NEGATING_AFTER,
  NEGATING_BEFORE,
  SHARED_PHRASES,
  THEME_LEXICON,
} from "./theme-lexicon.js";
import { tokenise, type Token } from "./text-tokens.js";

interface Meaning {
  readonly themes: readonly ThemeId[];
  /** 1 tags alone, 0.5 needs company, 0 means "ignore these words". */
  readonly weight: number;
}

interface TrieNode {
  readonly next: Map<string, TrieNode>;
  /** Where a phrase ends: its weight for each theme (empty for an ignored phrase). */
  weights: Map<ThemeId, number> | undefined;
}

function newNode(): TrieNode {
  return { next: new Map(), weights: undefined };
}

// --- Welsh mutations ---------------------------------------------------------------------------
// Welsh changes the first consonant of a word after some words ("bysiau" -> "mwy o fysiau",
// "gofal" -> "ei ofal"). The lexicon lists radical forms; the mutated ones are added here.
const SOFT: readonly (readonly [string, string])[] = [
  ["ll", "l"],
  ["rh", "r"],
  ["p", "b"],
  ["t", "d"],
  ["c", "g"],
  ["b", "f"],
  ["d", "dd"],
  ["g", ""],
  ["m", "f"],
];
const NASAL: readonly (readonly [string, string])[] = [
  ["p", "mh"],
  ["t", "nh"],
  ["c", "ngh"],
  ["b", "m"],
  ["d", "n"],
  ["g", "ng"],
];
const ASPIRATE: readonly (readonly [string, string])[] = [
  ["p", "ph"],
  ["t", "th"],
  ["c", "ch"],
];

export function welshMutations(word: string): string[] {
  const forms = new Set<string>();
  for (const table of [SOFT, NASAL, ASPIRATE]) {
    for (const [from, to] of table) {
      if (word.startsWith(from) && !(from === "d" && word.startsWith("dd"))) {
        forms.add(to + word.slice(from.length));
        break;
      }
    }
  }
  if (/^[aeiouwy]/.test(word)) forms.add(`h${word}`);
  forms.delete(word);
  // Short mutated forms collide with other words ("mil" is Welsh for a thousand, "les" a name).
  return [...forms].filter((form) => form.length >= 4);
}

// --- the lexicon as a trie of stemmed words ----------------------------------------------------
function keyOf(phrase: string): string[] {
  return tokenise(phrase).map((t) => t.stem);
}

function buildTrie(): { root: TrieNode; vocabulary: Set<string> } {
  const root = newNode();
  const vocabulary = new Set<string>();
  const add = (phrase: string, meaning: Meaning): void => {
    const key = keyOf(phrase);
    if (key.length === 0) return;
    let node = root;
    for (const word of key) {
      vocabulary.add(word);
      let child = node.next.get(word);
      if (!child) {
        child = newNode();
        node.next.set(word, child);
      }
      node = child;
    }
    // The same phrase listed twice ("flats" strong, "flat" weak: one stem) counts once, at its best.
    const weights = (node.weights ??= new Map());
    for (const theme of meaning.themes) weights.set(theme, Math.max(weights.get(theme) ?? 0, meaning.weight));
  };
  const addWelsh = (phrase: string, meaning: Meaning): void => {
    add(phrase, meaning);
    const [first, ...rest] = phrase.split(" ");
    for (const mutated of welshMutations(first!)) add([mutated, ...rest].join(" "), meaning);
  };
  for (const theme of THEMES) {
    const words = THEME_LEXICON[theme];
    for (const phrase of words.strong) add(phrase, { themes: [theme], weight: 1 });
    for (const phrase of words.weak) add(phrase, { themes: [theme], weight: 0.5 });
    for (const phrase of words.welsh) addWelsh(phrase, { themes: [theme], weight: 1 });
    for (const phrase of words.welshWeak ?? []) addWelsh(phrase, { themes: [theme], weight: 0.5 });
  }
  for (const [phrase, themes] of SHARED_PHRASES) add(phrase, { themes, weight: 1 });
  for (const [phrase, themes] of LEARNED_PHRASES) add(phrase, { themes, weight: 1 });
  for (const phrase of IGNORED_PHRASES) add(phrase, { themes: [], weight: 0 });
  return { root, vocabulary };
}

const { root: ROOT, vocabulary: VOCABULARY } = buildTrie();
const PLACE_TO_BE: Map<ThemeId, number> = new Map([["community_spaces", 1]]);
// Place names are spelt as they are: "Burslem" is not a misspelling of "burgled".
const FUZZY = new FuzzyVocabulary(VOCABULARY, new Set([...REAL_WORDS, ...PROTECTED_WORDS, ...FIRST_NAMES]), (word) => {
  const weights = ROOT.next.get(word)?.weights;
  return weights
    ? [...weights]
        .map(([theme, weight]) => `${theme}:${weight}`)
        .sort()
        .join(" ")
    : `(${word})`;
});

/** The single words the lexicon knows (stemmed): what misspellings are corrected towards. */
export function lexiconVocabulary(): ReadonlySet<string> {
  return VOCABULARY;
}

// --- negation ------------------------------------------------------------------------------------
function phraseAlternatives(phrases: readonly string[]): string {
  return phrases
    .map((p) =>
      p
        .split(" ")
        .map((w) => w.replace(/[^a-z0-9]/g, ""))
        .join(" "),
    )
    .sort((a, b) => b.length - a.length)
    .join("|");
}
const NEGATED_BEFORE = new RegExp(`(?:^| )(?:${phraseAlternatives(NEGATING_BEFORE)})(?: [a-z0-9]+){0,2}$`);
const LIST_WORDS: ReadonlySet<string> = new Set(["and", "or", "nor"]);
const NEGATED_AFTER = new RegExp(`^(?:[a-z0-9]+ )?(?:${phraseAlternatives(NEGATING_AFTER)})(?: |$)`);

/**
 * `floor`: where the clue before this one ended. A negation before it reaches past it only in
 * a list ("no problem with the buses or trains"): "not bothered about buses, housing is …".
 */
function isNegated(tokens: readonly Token[], start: number, end: number, floor = 0): boolean {
  const clause = tokens[start]!.clause;
  const listed = start > 0 && LIST_WORDS.has(tokens[start - 1]!.lower);
  const from = listed ? 0 : floor;
  const before: string[] = [];
  for (let i = start - 1; i >= from && i >= start - 6 && tokens[i]!.clause === clause; i--)
    before.unshift(tokens[i]!.lower);
  if (before.length > 0 && NEGATED_BEFORE.test(before.join(" "))) return true;
  const after: string[] = [];
  for (let i = end; i < tokens.length && i < end + 5 && tokens[i]!.clause === clause; i++) after.push(tokens[i]!.lower);
  return after.length > 0 && NEGATED_AFTER.test(after.join(" "));
}

// --- contrast ------------------------------------------------------------------------------------
// "its not crime, its the bins", "rent is the problem not jobs": "not" straight before a theme
// word. Not before the adjectives that are the complaint itself ("not safe", "not enough").
const NOT_BEFORE_COMPLAINT: ReadonlySet<string> = new Set([
  "enough",
  "safe",
  "affordable",
  "clean",
  "open",
  "accessible",
  "reliable",
  "working",
  "able",
  "many",
  "much",
  "fit",
  "cheap",
  "good",
]);
// "the buses are better than they were", "the shops are better now"
const BETTER_AFTER =
  /^(?:is|are|r|s|were|was|seem|seems)(?: (?:a lot|much|loads|far|way))? (?:better|improving|improved|nicer)(?: |$)/;

function isContrasted(tokens: readonly Token[], start: number, end: number): boolean {
  const clause = tokens[start]!.clause;
  const at = (i: number): string | undefined =>
    i >= 0 && i < tokens.length && tokens[i]!.clause === clause ? tokens[i]!.lower : undefined;
  // "not jobs", "not really the buses"
  const first = tokens[start]!.lower;
  if (!NOT_BEFORE_COMPLAINT.has(first)) {
    for (let i = start - 1; i >= start - 3 && at(i) !== undefined; i--) {
      if (at(i) === "not") return true;
      if (!["really", "just", "so", "even", "about"].includes(at(i)!)) break;
    }
  }
  // "worse than the buses": what a thing is compared with
  for (let i = start - 1; i >= start - 3 && at(i) !== undefined; i--) if (at(i) === "than") return true;
  // "cheaper than driving": the comparison itself
  if (at(end) === "than") return true;
  const after: string[] = [];
  for (let i = end; i < end + 4 && at(i) !== undefined; i++) after.push(at(i)!);
  return BETTER_AFTER.test(after.join(" "));
}

// --- somewhere to go ----------------------------------------------------------------------------
// "nowhere for the kids to go", "somewhere for them to meet": a place to be, however many words
// come between.
const WHERE_WORDS: ReadonlySet<string> = new Set(["nowhere", "somewhere", "anywhere", "places", "place"]);
const GO_WORDS: ReadonlySet<string> = new Set(["go", "meet", "hang", "sit", "gather"]);

function placeToBe(tokens: readonly Token[], start: number): number | undefined {
  if (!WHERE_WORDS.has(tokens[start]!.lower)) return undefined;
  for (let j = start + 1; j < tokens.length - 1 && j <= start + 6; j++) {
    if (tokens[j]!.clause !== tokens[start]!.clause) return undefined;
    if (tokens[j]!.lower === "to" && GO_WORDS.has(tokens[j + 1]!.lower)) return j + 2;
  }
  return undefined;
}

// --- street names --------------------------------------------------------------------------------
// "Station Road", "Park Lane", "Ford Green Road": the words of a street's name say where, not what.
const STREET_TYPES: ReadonlySet<string> = new Set([
  "road",
  "street",
  "st",
  "lane",
  "avenue",
  "close",
  "drive",
  "way",
  "crescent",
  "grove",
  "terrace",
  "place",
  "square",
  "gardens",
  "walk",
]);

function streetNameWords(tokens: readonly Token[]): Uint8Array {
  const skip = new Uint8Array(tokens.length);
  for (let i = 1; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!STREET_TYPES.has(token.lower) || !isCapitalised(token.raw)) continue;
    let j = i - 1;
    while (j >= 0 && isCapitalised(tokens[j]!.raw) && tokens[j]!.clause === token.clause && i - j <= 3) j--;
    if (j === i - 1 || tokens[i - 1]!.lower === "high") continue; // no name, or the High Street itself
    for (let k = j + 1; k <= i; k++) skip[k] = 1;
  }
  return skip;
}

function isCapitalised(raw: string): boolean {
  const first = raw.charCodeAt(0);
  return first >= 65 && first <= 90 && raw !== raw.toUpperCase();
}

// --- tagging ----------------------------------------------------------------------------------
function keyFor(token: Token): string {
  if (VOCABULARY.has(token.stem) || VOCABULARY.has(token.lower))
    return VOCABULARY.has(token.stem) ? token.stem : token.lower;
  return FUZZY.correct(token.lower) ?? FUZZY.correct(token.stem) ?? token.stem;
}

/** One lexicon phrase found in a message, and what it counted for. */
export interface ThemeClue {
  readonly words: string;
  /** What it added to each theme: 0 when negated; nothing for an ignored phrase. */
  readonly weights: Partial<Record<ThemeId, number>>;
  readonly negated: boolean;
}

// Contact details and links are not what a message is about ("email me at …").
const CONTACT_DETAILS = /\S+@\S+|\bhttps?:\/\/\S+|\bwww\.\S+/gi;

/** The lexicon phrases found in `text` and the weight each contributed: for tests and tuning. */
export function findThemeClues(text: string): ThemeClue[] {
  const tokens = tokenise(
    text.includes("@") || text.includes("://") || text.includes("www.") ? text.replace(CONTACT_DETAILS, " ") : text,
  );
  if (tokens.length === 0) return [];
  const keys = tokens.map(keyFor);
  const skip = streetNameWords(tokens);
  let content = 0;
  for (const token of tokens) if (!FILLER_WORDS.has(token.lower)) content++;

  const found: {
    words: string;
    weights: Map<ThemeId, number>;
    negated: boolean;
    contrasted: boolean;
    start: number;
  }[] = [];
  let i = 0;
  let previousEnd = 0;
  while (i < tokens.length) {
    if (skip[i]) {
      i++;
      continue;
    }
    let node: TrieNode | undefined = ROOT;
    let weights: Map<ThemeId, number> | undefined;
    let end = i;
    for (let j = i; j < tokens.length && !skip[j]; j++) {
      node = node.next.get(keys[j]!);
      if (!node) break;
      if (node.weights) {
        weights = node.weights;
        end = j + 1;
      }
    }
    if (!weights) {
      const placeEnd = placeToBe(tokens, i);
      if (placeEnd !== undefined) {
        found.push({
          words: keys.slice(i, placeEnd).join(" "),
          weights: PLACE_TO_BE,
          negated: isNegated(tokens, i, placeEnd, previousEnd),
          contrasted: false,
          start: i,
        });
      }
      i++;
      continue;
    }
    found.push({
      words: keys.slice(i, end).join(" "),
      weights,
      negated: isNegated(tokens, i, end, previousEnd),
      contrasted: isContrasted(tokens, i, end),
      start: i,
    });
    if (weights.size > 0) previousEnd = end;
    i = end;
  }
  // A contrasted clue gives way only to another theme the message does raise.
  for (const clue of found) {
    if (!clue.contrasted || clue.negated) continue;
    clue.negated = found.some(
      (other) =>
        !other.negated && !other.contrasted && [...other.weights.keys()].some((theme) => !clue.weights.has(theme)),
    );
  }
  // A short answer ("kids", "cheaper food") with no strong clue: its weak words are all it has.
  const hasStrong = found.some((c) => !c.negated && [...c.weights.values()].some((w) => w >= 1));
  const promoteWeak = content <= 3 && !hasStrong;
  return found.map(({ words, weights, negated, start }) => {
    // Only a single word is discounted: "on the green fields" names the subject itself.
    const locative = !words.includes(" ") && isLocative(tokens, start);
    const counted: Partial<Record<ThemeId, number>> = {};
    for (const [theme, weight] of weights) {
      counted[theme] = negated ? 0 : promoteWeak ? 1 : locative ? weight / 2 : weight;
    }
    return { words, weights: counted, negated };
  });
}

// "by the park", "outside the school", "on the pavement": a place named to say where something
// happens, not what the message is about. Such a word counts half.
const LOCATIVE = new Set([
  "by",
  "near",
  "outside",
  "behind",
  "opposite",
  "past",
  "beside",
  "on",
  "round",
  "around",
  "across",
]);
const DETERMINERS = new Set(["the", "our", "my", "a", "that", "this", "every", "local"]);

// "on the buses" is about the buses.
const VEHICLES = new Set(["bus", "buses", "train", "tram", "taxi"]);

// "get to the shops", "on my way to the shops": the shops as a destination.
const DESTINATIONS = new Set(["shop"]);

function isLocative(tokens: readonly Token[], start: number): boolean {
  let i = start - 1;
  if (i >= 0 && DETERMINERS.has(tokens[i]!.lower)) i--;
  const before = i >= 0 && i !== start - 1 ? tokens[i]!.lower : undefined;
  const place = before === "to" && DESTINATIONS.has(tokens[start]!.stem);
  if (i < 0 || i === start - 1 || (!LOCATIVE.has(before!) && !place) || tokens[i]!.clause !== tokens[start]!.clause)
    return false;
  return !(tokens[i]!.lower === "on" && VEHICLES.has(tokens[start]!.stem));
}

/** Themes of a free-text answer, in the order of THEMES. Pure and synchronous. */
export function tagThemes(text: string): ThemeId[] {
  const scores = new Map<ThemeId, number>();
  for (const clue of findThemeClues(text)) {
    for (const theme of THEMES) {
      const weight = clue.weights[theme];
      if (weight !== undefined) scores.set(theme, (scores.get(theme) ?? 0) + weight);
    }
  }
  return THEMES.filter((theme) => (scores.get(theme) ?? 0) >= 1);
}
