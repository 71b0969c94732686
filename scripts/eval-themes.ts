// Evaluates the offline text analyser (theme tagging + redaction) on the labelled sets:
//   node bin/run-ts.js scripts/eval-themes.ts [--misses] [file.jsonl]
// With no file, three sets (docs/themes.md):
// - test/fixtures/themes-eval.jsonl: the first set; lines marked "heldout": true were set aside
//   before the lexicons were written;
// - test/fixtures/themes-eval-residents-dev.jsonl: harder cases written as residents write
//   (misspellings, text-speak, one-word answers, Welsh, Polish, negation, street names),
//   whose misses may be read while tuning;
// - test/fixtures/themes-eval-residents-heldout.jsonl: written at the same time, before the
//   tagger was changed for them, and never tuned on (its misses are never printed).
// Prints per-theme precision/recall/F1 for each part, redaction recall and over-redaction,
// then `macro-F1 0.xx, redaction recall 0.xx` for the first set. Exits 1 below macro-F1 0.85
// or redaction recall 0.95 there.
// --misses lists the development parts' mistakes only: the held-out parts stay unseen.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createTextAnalyser } from "../src/nlp/analyse.js";
import { evaluateAnalyser, formatReport, parseEvalSet, type EvalReport } from "../src/nlp/evaluate.js";
import { redactPersonalDetails } from "../src/nlp/redact.js";
import { tagThemes } from "../src/nlp/offline-theme-tagger.js";

export const MIN_MACRO_F1 = 0.85;
export const MIN_REDACTION_RECALL = 0.95;

const args = process.argv.slice(2);
const showMisses = args.includes("--misses");
const fixture = (name: string) => fileURLToPath(new URL(`../test/fixtures/${name}`, import.meta.url));
const load = (path: string) => parseEvalSet(readFileSync(path, "utf8"));
const file = args.find((a) => !a.startsWith("--"));
const examples = load(file ?? fixture("themes-eval.jsonl"));
const residentsDev = file ? [] : load(fixture("themes-eval-residents-dev.jsonl"));
const residentsHeldout = file ? [] : load(fixture("themes-eval-residents-heldout.jsonl"));
const analyser = createTextAnalyser();
const analyse = (text: string) => analyser.invoke(text);

const all = await evaluateAnalyser(examples, analyse);
const development = await evaluateAnalyser(
  examples.filter((e) => !e.heldout),
  analyse,
);
const heldout = await evaluateAnalyser(
  examples.filter((e) => e.heldout),
  analyse,
);

for (const line of formatReport("All", all)) console.log(line);
console.log("");
for (const line of formatReport("Development (used to build the lexicons)", development)) console.log(line);
console.log("");
for (const line of formatReport("Held out (its misses never inspected while building)", heldout)) console.log(line);
const residentParts: EvalReport[] = [];
if (!file) {
  residentParts.push(await evaluateAnalyser(residentsDev, analyse), await evaluateAnalyser(residentsHeldout, analyse));
  console.log("");
  for (const line of formatReport("Residents' set, development (misses read while tuning)", residentParts[0]!))
    console.log(line);
  console.log("");
  for (const line of formatReport("Residents' set, held out (never tuned on)", residentParts[1]!)) console.log(line);
}

if (showMisses) {
  console.log("\nDevelopment misses:");
  for (const miss of [...development.themeMisses, ...(residentParts[0]?.themeMisses ?? [])])
    console.log(
      `  ${JSON.stringify(miss.text)}\n    expected [${miss.expected.join(", ")}] got [${miss.got.join(", ")}]`,
    );
  for (const leak of development.leakedPii)
    console.log(`  LEAK ${leak.type} ${JSON.stringify(leak.value)} in ${JSON.stringify(leak.redacted)}`);
}
for (const over of [...all.overRedaction.examples, ...residentParts.flatMap((r) => r.overRedaction.examples)])
  console.log(`  over-redacted "${over.lost}": ${JSON.stringify(over.redacted)}`);

// Time what runs per message, after a warm-up: the pure functions, and the runnable.
const texts = [...examples, ...residentsDev, ...residentsHeldout].map((e) => e.text);
const rounds = 20;
for (const text of texts) {
  tagThemes(text);
  redactPersonalDetails(text);
}
let started = performance.now();
for (let r = 0; r < rounds; r++) {
  for (const text of texts) {
    tagThemes(text);
    redactPersonalDetails(text);
  }
}
const core = (performance.now() - started) / (rounds * texts.length);
started = performance.now();
for (let r = 0; r < rounds; r++) for (const text of texts) await analyser.invoke(text);
const viaRunnable = (performance.now() - started) / (rounds * texts.length);
console.log(
  `\noffline analysis per message (mean of ${rounds * texts.length}): ${(core * 1000).toFixed(0)} µs tag + redact, ${(viaRunnable * 1000).toFixed(0)} µs through the analyser runnable`,
);

console.log(`macro-F1 ${all.macroF1.toFixed(2)}, redaction recall ${all.pii.recall.toFixed(2)}`);
if (all.macroF1 < MIN_MACRO_F1 || all.pii.recall < MIN_REDACTION_RECALL) process.exitCode = 1;
