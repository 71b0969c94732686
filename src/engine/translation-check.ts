// One source of truth in two languages: checks, without a translator, that each translation of
// a resident-facing text says the same things as the reference (English). A dropped sentence,
// a missing placeholder, a number, link or keyword present in one language only, or a different
// number of lines, questions or brackets is reported. What a text means is left to people; what
// it must carry in every language is checked here.
import { detectKeyword } from "./keywords.js";
import { textsOf, type FlowProblem } from "./parse-flow.js";
import type { Flow, LocalisedText } from "./types.js";

/** What a text carries that every translation of it must carry too. */
export interface TextFacts {
  readonly sentences: number;
  readonly questions: number;
  readonly lines: number;
  readonly bullets: number;
  readonly brackets: number;
  readonly placeholders: readonly string[];
  readonly numbers: readonly string[];
  readonly urls: readonly string[];
  /** Keywords the text tells the resident to send, by meaning ("stop", "help", "yes"…), not spelling. */
  readonly keywords: readonly string[];
}

const PLACEHOLDER = /\{[a-z_][a-z0-9_.]*\}/gi;
const URL = /\b(?:https?:\/\/|www\.)[^\s)]*[^\s).,!?:;]/gi;
// Abbreviations whose full stop ends no sentence (kept short: the shipped texts use none).
const ABBREVIATION = /\b(?:e\.g|e\.e|i\.e|etc|a\.m|p\.m)\./gi;
const ANSWER_WORDS: Readonly<Record<string, string>> = { YES: "yes", IE: "yes", NO: "no", NA: "no" };

const sorted = (items: Iterable<string>) => [...items].sort();

/** The facts of one text, as the comparison sees them. */
export function textFacts(text: string): TextFacts {
  const placeholders = sorted(text.match(PLACEHOLDER) ?? []);
  const urls = sorted(text.match(URL) ?? []);
  // Links and placeholders are compared on their own; blanked out, their dots end no sentence.
  const plain = text.replace(URL, " L ").replace(PLACEHOLDER, " P ").replace(ABBREVIATION, "A");
  const lines = plain.split("\n").filter((l) => l.trim().length > 0);
  let sentences = 0;
  let questions = 0;
  for (const line of lines) {
    // A line is a sentence, or several: "." "!" or "?" before a space or the end of the line ends one.
    sentences += line.split(/[.!?]+(?=\s|$)/).filter((piece) => /[\p{L}\p{N}]/u.test(piece)).length;
    questions += (line.match(/[.!?]*\?[.!?]*(?=\s|$)/g) ?? []).length;
  }
  const keywords: string[] = [];
  // Keywords are written in capitals: "STOP", "FY NATA", "DELETE YES", "IE neu NA".
  for (const run of plain.match(/\b[A-Z][A-Z'-]+(?:\s+[A-Z][A-Z'-]+)*\b/g) ?? []) {
    const answer = ANSWER_WORDS[run];
    if (answer) {
      keywords.push(answer);
      continue;
    }
    const match = detectKeyword(run);
    if (match) keywords.push(match.argument ? `${match.keyword} ${match.argument}` : match.keyword);
  }
  return {
    sentences,
    questions,
    lines: lines.length,
    bullets: lines.filter((l) => /^\s*(?:[-•*]|\d+[.)])\s/.test(l)).length,
    brackets: (plain.match(/\(/g) ?? []).length,
    placeholders,
    numbers: sorted(plain.match(/\d+/g) ?? []),
    urls,
    keywords: sorted(keywords),
  };
}

const list = (items: readonly string[]) => (items.length === 0 ? "none" : items.join(", "));
const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * How each translation differs from the reference text, one line per difference, e.g.
 * `cy has 2 sentences, en has 3`. Empty when they carry the same things. A missing
 * translation is reported too.
 */
export function compareTranslations(text: LocalisedText, languages: readonly string[], reference = "en"): string[] {
  const base = text[reference];
  if (base === undefined) return languages.includes(reference) ? [`no "${reference}" text`] : [];
  const want = textFacts(base);
  const differences: string[] = [];
  for (const language of languages) {
    if (language === reference) continue;
    const other = text[language];
    if (other === undefined) {
      differences.push(`no "${language}" text`);
      continue;
    }
    const got = textFacts(other);
    const counted = [
      ["sentence", "sentences", got.sentences, want.sentences],
      ["question", "questions", got.questions, want.questions],
      ["line", "lines", got.lines, want.lines],
      ["list item", "list items", got.bullets, want.bullets],
      ["bracket", "brackets", got.brackets, want.brackets],
    ] as const;
    for (const [one, many, n, m] of counted) {
      if (n !== m)
        differences.push(`${language} has ${n} ${n === 1 ? one : many}, ${reference} has ${m} ${m === 1 ? one : many}`);
    }
    const listed = [
      ["placeholders", got.placeholders, want.placeholders],
      ["numbers", got.numbers, want.numbers],
      ["links", got.urls, want.urls],
      ["keywords", got.keywords, want.keywords],
    ] as const;
    for (const [what, g, w] of listed) {
      if (!same(g, w)) differences.push(`${what} differ: ${language} has ${list(g)}, ${reference} has ${list(w)}`);
    }
  }
  return differences;
}

/** Every text of a flow (texts, re-prompts, option labels) against its English, in each language the flow declares. */
export function checkFlowTranslations(flow: Flow): FlowProblem[] {
  const problems: FlowProblem[] = [];
  for (const node of flow.nodes) {
    for (const [where, text] of textsOf(node)) {
      for (const difference of compareTranslations(text, flow.languages)) {
        problems.push({
          file: flow.file ?? flow.id,
          line: node.line ?? 1,
          nodeId: node.id,
          message: `${where}: ${difference}`,
        });
      }
    }
  }
  return problems;
}
