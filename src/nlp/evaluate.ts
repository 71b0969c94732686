// Scores the text analyser against a labelled set (test/fixtures/themes-eval.jsonl): theme
// precision/recall/F1, redaction recall for planted personal details, and over-redaction of
// place names and words that must survive. Pure: the caller reads the file.
import * as z from "zod";
import { THEMES, type ThemeId } from "../directory/themes.js";
import { escapeRegExp } from "../engine/text.js";
import type { TextAnalysis } from "./analyse.js";

export const PII_TYPES = ["phone", "email", "postcode", "address", "name", "ni-number"] as const;
export type PiiType = (typeof PII_TYPES)[number];

const exampleSchema = z.object({
  text: z.string(),
  themes: z.array(z.enum(THEMES)),
  pii: z.array(z.object({ type: z.enum(PII_TYPES), value: z.string().min(1) })).default([]),
  heldout: z.boolean().optional(),
});

export type EvalExample = z.infer<typeof exampleSchema>;

/** Parses the JSON-lines set; throws with the line number on a bad line. */
export function parseEvalSet(jsonl: string): EvalExample[] {
  const examples: EvalExample[] = [];
  jsonl.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    const parsed = exampleSchema.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`line ${index + 1}: ${parsed.error.message}`);
    for (const pii of parsed.data.pii) {
      if (!parsed.data.text.includes(pii.value))
        throw new Error(`line ${index + 1}: "${pii.value}" is not in the text`);
    }
    examples.push(parsed.data);
  });
  return examples;
}

/**
 * Place names and words that are not personal and must survive redaction. Counted as whole
 * words, case-insensitively, outside the planted personal details.
 */
export const PROTECTED_TERMS: readonly string[] = [
  "Stoke-on-Trent",
  "Stoke",
  "Hanley",
  "Burslem",
  "Longton",
  "Tunstall",
  "Fenton",
  "Meir",
  "Bentilee",
  "Abbey Hulton",
  "Hartshill",
  "Shelton",
  "Etruria",
  "Trentham",
  "Smallthorne",
  "Norton",
  "Blurton",
  "Milton",
  "Cobridge",
  "Middleport",
  "the high street",
  "high street",
  "Hanley bus station",
  "Queens Road park",
  "the A50",
  "Royal Stoke",
  "Moorland Road",
  "Uttoxeter Road",
  "Leek Road",
  "Victoria Road",
  "Broad Street",
  "Hanley Park",
  "Co-op",
  "Greggs",
  "GP",
  "NHS",
  "A&E",
  "Universal Credit",
  "Jobcentre",
  "Cardiff",
  "Abertawe",
  "Wales",
];

export interface ThemeScore {
  readonly theme: ThemeId;
  /** Examples labelled with the theme. */
  readonly support: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export interface Miss {
  readonly text: string;
  readonly expected: readonly ThemeId[];
  readonly got: readonly ThemeId[];
}

export interface EvalReport {
  readonly examples: number;
  readonly themes: readonly ThemeScore[];
  /** Mean F1 over the themes that are labelled or predicted at least once. */
  readonly macroF1: number;
  readonly microF1: number;
  /** Share of examples whose theme set is exactly right. */
  readonly exactMatch: number;
  readonly pii: {
    readonly planted: number;
    readonly removed: number;
    readonly recall: number;
    readonly byType: Readonly<Record<PiiType, { planted: number; removed: number }>>;
  };
  /** Protected terms that were in the text but not in its redaction. */
  readonly overRedaction: {
    readonly count: number;
    readonly examples: readonly { text: string; redacted: string; lost: string }[];
  };
  readonly themeMisses: readonly Miss[];
  readonly leakedPii: readonly { text: string; redacted: string; value: string; type: PiiType }[];
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

const TERM_PATTERNS = PROTECTED_TERMS.map(
  (term) => [term, new RegExp(`(?<![\\p{L}\\p{N}-])${escapeRegExp(term)}(?![\\p{L}\\p{N}-])`, "giu")] as const,
);

function countTerm(pattern: RegExp, text: string): number {
  pattern.lastIndex = 0;
  return text.match(pattern)?.length ?? 0;
}

/** Scores `analyses[i]` (the analyser's output) against `examples[i]`. */
export function scoreAnalyses(examples: readonly EvalExample[], analyses: readonly TextAnalysis[]): EvalReport {
  const counts = new Map<ThemeId, { tp: number; fp: number; fn: number; support: number }>(
    THEMES.map((t) => [t, { tp: 0, fp: 0, fn: 0, support: 0 }]),
  );
  const themeMisses: Miss[] = [];
  const leakedPii: EvalReport["leakedPii"][number][] = [];
  const overExamples: EvalReport["overRedaction"]["examples"][number][] = [];
  const byType = Object.fromEntries(PII_TYPES.map((t) => [t, { planted: 0, removed: 0 }])) as Record<
    PiiType,
    { planted: number; removed: number }
  >;
  let exact = 0;
  let planted = 0;
  let removed = 0;
  let overCount = 0;

  examples.forEach((example, i) => {
    const analysis = analyses[i]!;
    const expected = new Set(example.themes);
    const got = new Set(analysis.themes);
    for (const theme of THEMES) {
      const c = counts.get(theme)!;
      if (expected.has(theme)) c.support++;
      if (expected.has(theme) && got.has(theme)) c.tp++;
      else if (got.has(theme)) c.fp++;
      else if (expected.has(theme)) c.fn++;
    }
    if (expected.size === got.size && [...expected].every((t) => got.has(t))) exact++;
    else themeMisses.push({ text: example.text, expected: example.themes, got: analysis.themes });

    for (const pii of example.pii) {
      planted++;
      byType[pii.type].planted++;
      if (!analysis.redacted.includes(pii.value)) {
        removed++;
        byType[pii.type].removed++;
      } else {
        leakedPii.push({ text: example.text, redacted: analysis.redacted, value: pii.value, type: pii.type });
      }
    }

    // Protected terms inside a planted detail ("44 Stoke Road") may go with it.
    let original = example.text;
    for (const pii of example.pii) original = original.split(pii.value).join(" ");
    for (const [term, pattern] of TERM_PATTERNS) {
      const lost = countTerm(pattern, original) - countTerm(pattern, analysis.redacted);
      if (lost > 0) {
        overCount += lost;
        overExamples.push({ text: example.text, redacted: analysis.redacted, lost: term });
      }
    }
  });

  const themes: ThemeScore[] = THEMES.map((theme) => {
    const c = counts.get(theme)!;
    const precision = ratio(c.tp, c.tp + c.fp);
    const recall = ratio(c.tp, c.tp + c.fn);
    const f1 = ratio(2 * precision * recall, precision + recall);
    return {
      theme,
      support: c.support,
      truePositives: c.tp,
      falsePositives: c.fp,
      falseNegatives: c.fn,
      precision,
      recall,
      f1,
    };
  });
  const scored = themes.filter((t) => t.support > 0 || t.falsePositives > 0);
  const tp = themes.reduce((s, t) => s + t.truePositives, 0);
  const fp = themes.reduce((s, t) => s + t.falsePositives, 0);
  const fn = themes.reduce((s, t) => s + t.falseNegatives, 0);
  return {
    examples: examples.length,
    themes,
    macroF1: ratio(
      scored.reduce((s, t) => s + t.f1, 0),
      scored.length,
    ),
    microF1: ratio(2 * tp, 2 * tp + fp + fn),
    exactMatch: ratio(exact, examples.length),
    pii: { planted, removed, recall: planted === 0 ? 1 : removed / planted, byType },
    overRedaction: { count: overCount, examples: overExamples },
    themeMisses,
    leakedPii,
  };
}

/** Runs `analyse` over every example and scores the results. */
export async function evaluateAnalyser(
  examples: readonly EvalExample[],
  analyse: (text: string) => TextAnalysis | Promise<TextAnalysis>,
): Promise<EvalReport> {
  const analyses: TextAnalysis[] = [];
  for (const example of examples) analyses.push(await analyse(example.text));
  return scoreAnalyses(examples, analyses);
}

function pct(value: number): string {
  return value.toFixed(2);
}

/** The report as a fixed-width table, for the terminal. */
export function formatReport(title: string, report: EvalReport): string[] {
  const lines = [`${title} (${report.examples} messages)`, `  ${"theme".padEnd(18)} support   prec  recall    F1`];
  for (const t of report.themes) {
    lines.push(
      `  ${t.theme.padEnd(18)} ${String(t.support).padStart(7)}   ${pct(t.precision)}    ${pct(t.recall)}  ${pct(t.f1)}`,
    );
  }
  const types = PII_TYPES.map((t) => `${t} ${report.pii.byType[t].removed}/${report.pii.byType[t].planted}`).join(", ");
  lines.push(
    `  macro-F1 ${pct(report.macroF1)}, micro-F1 ${pct(report.microF1)}, exact theme sets ${pct(report.exactMatch)}`,
    `  redaction recall ${pct(report.pii.recall)} (${report.pii.removed}/${report.pii.planted}: ${types})`,
    `  over-redaction: ${report.overRedaction.count} protected term(s) removed`,
  );
  return lines;
}
