// Words of a resident's message, as the theme tagger sees them: lower-cased, accents folded,
// text-speak spelt out ("ppl" -> "people") and plurals reduced ("potholes" -> "pothole").
// Pure: runs on Node and in the Worker.

export interface Token {
  /** As written (accents folded), for capitalisation checks. */
  readonly raw: string;
  /** Lower-cased; text-speak expanded. */
  readonly lower: string;
  /** `lower` with a light plural stemmer applied. */
  readonly stem: string;
  /** Clauses are split at sentence punctuation and "but": negation never crosses them. */
  readonly clause: number;
}

// Spellings that no edit distance would find: text-speak, abbreviations, slang.
// A value with a space becomes several words.
const TEXT_SPEAK: Readonly<Record<string, string>> = {
  ppl: "people",
  peeps: "people",
  ppls: "people",
  ppel: "people",
  u: "you",
  ur: "your",
  r: "are",
  n: "and",
  "4": "for",
  "2": "to",
  b4: "before",
  bc: "because",
  cos: "because",
  coz: "because",
  cuz: "because",
  wiv: "with",
  wid: "with",
  thru: "through",
  tho: "though",
  kidz: "kids",
  kiddies: "kids",
  kiddos: "kids",
  yoof: "youth",
  yout: "youth",
  yoot: "youth",
  teens: "teenagers",
  nuffin: "nothing",
  nuthin: "nothing",
  nowt: "nothing",
  nothin: "nothing",
  sumthin: "something",
  sumwer: "somewhere",
  sumwere: "somewhere",
  sumwhere: "somewhere",
  somewer: "somewhere",
  nower: "nowhere",
  nowere: "nowhere",
  evry1: "everyone",
  every1: "everyone",
  evry: "every",
  ne1: "anyone",
  some1: "someone",
  sum1: "someone",
  ere: "here",
  doin: "doing",
  goin: "going",
  gettin: "getting",
  nd: "and",
  wot: "what",
  wat: "what",
  rd: "road",
  rds: "roads",
  hosp: "hospital",
  docs: "doctors",
  drs: "doctors",
  gps: "gp",
  skool: "school",
  skl: "school",
  hse: "house",
  accom: "accommodation",
  jcp: "jobcentre",
  uc: "universal credit",
  asb: "anti social behaviour",
  lecky: "electric",
  leccy: "electric",
  elec: "electric",
  xmas: "christmas",
  govt: "government",
  cuncil: "council",
  councel: "council",
  gov: "government",
  plz: "please",
  pls: "please",
  hi: "high", // "hi street"; a greeting "hi" matches nothing
  pavements: "pavement",
  busses: "buses",
  behavior: "behaviour",
  neighbor: "neighbour",
  neighbors: "neighbours",
  center: "centre",
  centers: "centres",
  mold: "mould",
  moldy: "mouldy",
};

// Plurals whose singular means something else, or is too loose, are kept as written.
const STEM_EXCEPTIONS: ReadonlySet<string> = new Set([
  "homes",
  "works",
  "benefits",
  "roads",
  "goods",
  "news",
  "glasses",
  "lots",
  "parts",
  "means",
  "series",
  "species",
  "flats",
  "always",
  "across",
  "towards",
  "afterwards",
  "perhaps",
  "gas",
  "bus",
  "plus",
  "thus",
  "us",
  "yes",
  "this",
  "his",
  "its",
  "was",
  "has",
  "does",
  "is",
  "as",
  "crisis",
  "analysis",
  "basis",
  "diagnosis",
  "physics",
  "politics",
  "ourselves",
  "themselves",
  "less",
  "unless",
  "nhs",
  "asb",
  "cctv",
  "send",
  "dla",
  "esa",
  "jsa",
  "pip",
  "tv",
  "gcses",
  "cvs",
  "lles",
]);

/** Light English plural stemmer: "potholes" -> "pothole", "buses" -> "bus", "libraries" -> "library". */
export function stem(word: string): string {
  if (word.length <= 3 || STEM_EXCEPTIONS.has(word)) return word;
  const last = word.charCodeAt(word.length - 1);
  if (last !== 115 /* s */) return word;
  if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith("ss") || word.endsWith("us") || word.endsWith("is")) return word;
  if (word.endsWith("sses")) return word.slice(0, -2);
  if (/(?:[sxz]|ch|sh)es$/.test(word)) {
    // "buses" -> "bus", "churches" -> "church"; but "houses" -> "house", "prices" -> "price"
    const bare = word.slice(0, -2);
    if (bare.endsWith("us") && !bare.endsWith("ous") && word !== "houses" && word !== "nurses" && word !== "causes")
      return bare;
    if (/(?:x|z|ch|sh|ss)$/.test(bare)) return bare;
    return word.slice(0, -1);
  }
  return word.slice(0, -1);
}

// Accents folded the way normaliseReply folds them (src/engine/text.ts).
function fold(text: string): string {
  return /^[\x20-\x7e\n\r\t]*$/.test(text) ? text : text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
}

const CONTRACTION = /(\p{L})['’`](?=(?:t|s|ll|d|ve|re|m)\b)/giu;
const A_AND_E = /\ba\s*(?:&|and|n)\s*e\b/gi;
const PIECES = /[\p{L}\p{N}]+|[.;:!?\n]+/gu;
const CLAUSE_BREAK_WORDS: ReadonlySet<string> = new Set(["but", "though", "although", "however", "whereas", "except"]);

/**
 * The words of `text`. English contractions lose their apostrophe ("can't" -> "cant"); other
 * apostrophes separate words (Welsh "mae'r" -> "mae r"). "A&E" becomes the single word "ae".
 */
export function tokenise(text: string): Token[] {
  const prepared = fold(text.includes("£") ? text.replace(/£/g, " pounds ") : text)
    .replace(A_AND_E, (whole) => (whole.includes("&") || /\s/.test(whole) ? " ae " : whole))
    .replace(CONTRACTION, "$1");
  const tokens: Token[] = [];
  let clause = 0;
  for (const match of prepared.matchAll(PIECES)) {
    const piece = match[0];
    const first = piece.charCodeAt(0);
    if (first === 46 || first === 59 || first === 58 || first === 33 || first === 63 || first === 10) {
      clause++;
      continue;
    }
    const lower = piece.toLowerCase();
    if (CLAUSE_BREAK_WORDS.has(lower)) {
      clause++;
      tokens.push({ raw: piece, lower, stem: lower, clause });
      continue;
    }
    // Own keys only: a resident who writes "constructor" or "toString" must not find Object's.
    const spelt = Object.hasOwn(TEXT_SPEAK, lower) ? TEXT_SPEAK[lower] : undefined;
    if (spelt === undefined) {
      tokens.push({ raw: piece, lower, stem: stem(lower), clause });
    } else if (!spelt.includes(" ")) {
      tokens.push({ raw: piece, lower: spelt, stem: stem(spelt), clause });
    } else {
      for (const word of spelt.split(" ")) tokens.push({ raw: piece, lower: word, stem: stem(word), clause });
    }
  }
  return tokens;
}
