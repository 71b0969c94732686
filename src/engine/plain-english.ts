// Plain English for a reading age of about 9 to 11, as GOV.UK writes: short sentences, common
// words, no abbreviations such as "e.g.", no negative contractions ("don't" is misread as "do"),
// dates as people write them. What a machine can check is checked here; the rest is for people.
import { textsOf, type FlowProblem } from "./parse-flow.js";
import type { Flow } from "./types.js";

/** The most words one sentence of a resident-facing English text may have. */
export const MAX_SENTENCE_WORDS = 20;

/** Words and phrases with a more common alternative, and that alternative. */
const HARDER_WORDS: Readonly<Record<string, string>> = {
  "e.g.": "for example",
  "i.e.": "that is",
  "etc.": "and so on, or name them",
  via: "through, or by",
  "prior to": "before",
  ensure: "make sure",
  utilise: "use",
  facilitate: "help",
  commence: "start",
  whilst: "while",
  regarding: "about",
  hence: "so",
  thus: "so",
  erase: "delete",
  afresh: "from the beginning",
  encrypted: "in a code no one else can read",
  anonymised: "without names",
  approximately: "about",
  assistance: "help",
  obtain: "get",
  additional: "more",
  sufficient: "enough",
  "in order to": "to",
};

const NEGATIVE_CONTRACTION =
  /\b(?:don't|doesn't|didn't|won't|can't|couldn't|wouldn't|shouldn't|isn't|aren't|wasn't|weren't|haven't|hasn't)\b/gi;
const ISO_DATE = /\b\d{4}-\d{2}-\d{2}\b/g;

/** Why an English text is harder to read than it needs to be, one line per reason; empty when plain. */
export function plainEnglishProblems(text: string): string[] {
  const problems: string[] = [];
  const words = text.replace(/\{[^}]*\}/g, "X").replace(/\bhttps?:\/\/\S+/g, "link");
  for (const [hard, plain] of Object.entries(HARDER_WORDS)) {
    const pattern = new RegExp(`(?<![\\p{L}.])${hard.replace(/\./g, "\\.")}(?![\\p{L}])`, "iu");
    if (pattern.test(words)) problems.push(`"${hard}": write "${plain}"`);
  }
  for (const m of words.match(NEGATIVE_CONTRACTION) ?? [])
    problems.push(`"${m}": write it in full ("do not", "cannot"), which is not misread`);
  for (const m of words.match(ISO_DATE) ?? []) problems.push(`"${m}": write dates as people do ("3 December 2026")`);
  const sentences = words
    .replace(/\b(?:e\.g|i\.e|etc)\./gi, "A")
    .split(/[.!?:]+(?=\s|$)|\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const sentence of sentences) {
    const count = sentence.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
    if (count > MAX_SENTENCE_WORDS)
      problems.push(
        `a sentence of ${count} words ("${sentence.slice(0, 40)}…"): keep to ${MAX_SENTENCE_WORDS} or fewer`,
      );
  }
  return problems;
}

/** Every English text of a flow (texts, re-prompts, option labels) in plain English. */
export function checkFlowPlainEnglish(flow: Flow): FlowProblem[] {
  const problems: FlowProblem[] = [];
  for (const node of flow.nodes) {
    for (const [where, text] of textsOf(node)) {
      if (text.en === undefined) continue;
      for (const problem of plainEnglishProblems(text.en))
        problems.push({
          file: flow.file ?? flow.id,
          line: node.line ?? 1,
          nodeId: node.id,
          message: `${where}: plain English: ${problem}`,
        });
    }
  }
  return problems;
}
