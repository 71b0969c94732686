// Evaluates the text analyser (theme tagging + redaction) on the labelled sets:
//   node bin/run-ts.js scripts/eval-themes.ts [--misses] [--llm] [--timeout-ms N] [file.jsonl]
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
// --llm tags with the chat model configured by LLM_PROVIDER, LLM_API_KEY, LLM_BASE_URL and
// LLM_MODEL, exactly as the service does (offline tagger on error or after --timeout-ms,
// default 8000), and says how many messages fell back.
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { createTextAnalyser } from "../src/nlp/analyse.js";
import { ChatModelConfigError, createChatModelFromConfig } from "../src/nlp/chat-model.js";
import {
  evaluateAnalyser,
  formatReport,
  parseEvalSet,
  type EvalExample,
  type EvalReport,
} from "../src/nlp/evaluate.js";
import { DEFAULT_LLM_TIMEOUT_MS } from "../src/nlp/llm-theme-tagger.js";
import { redactPersonalDetails } from "../src/nlp/redact.js";
import { tagThemes } from "../src/nlp/offline-theme-tagger.js";

export const MIN_MACRO_F1 = 0.85;
export const MIN_REDACTION_RECALL = 0.95;

const fixture = (name: string) => fileURLToPath(new URL(`../test/fixtures/${name}`, import.meta.url));
const load = (path: string) => parseEvalSet(readFileSync(path, "utf8"));

export interface ThemeEvaluation {
  readonly parts: readonly { readonly key: string; readonly title: string; readonly report: EvalReport }[];
  /** Messages the offline tagger answered because the chat model failed or was too slow. */
  readonly fellBack: number;
  /** Messages tagged (each part's messages once). */
  readonly messages: number;
  readonly examples: readonly EvalExample[];
}

/** Every part of the sets (or of `file`), tagged offline or with `llm` as the service would. */
export async function evaluateThemeSets(
  options: { llm?: BaseChatModel; timeoutMs?: number; file?: string } = {},
): Promise<ThemeEvaluation> {
  let fellBack = 0;
  const analyser = createTextAnalyser({
    ...(options.llm ? { llm: options.llm, timeoutMs: options.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS } : {}),
    onFallback: () => fellBack++,
  });
  const analyse = (text: string) => analyser.invoke(text);
  const examples = load(options.file ?? fixture("themes-eval.jsonl"));
  const sets: { key: string; title: string; examples: EvalExample[] }[] = [
    { key: "all", title: "All", examples },
    {
      key: "development",
      title: "Development (used to build the lexicons)",
      examples: examples.filter((e) => !e.heldout),
    },
    {
      key: "heldout",
      title: "Held out (its misses never inspected while building)",
      examples: examples.filter((e) => e.heldout),
    },
  ];
  if (!options.file)
    sets.push(
      {
        key: "residents-development",
        title: "Residents' set, development (misses read while tuning)",
        examples: load(fixture("themes-eval-residents-dev.jsonl")),
      },
      {
        key: "residents-heldout",
        title: "Residents' set, held out (never tuned on)",
        examples: load(fixture("themes-eval-residents-heldout.jsonl")),
      },
    );
  // Each message is tagged once; the parts of the first set are scored from the same answers.
  const cache = new Map<string, Awaited<ReturnType<typeof analyse>>>();
  const once = async (text: string) => {
    let found = cache.get(text);
    if (!found) cache.set(text, (found = await analyse(text)));
    return found;
  };
  const parts = [];
  for (const set of sets)
    parts.push({ key: set.key, title: set.title, report: await evaluateAnalyser(set.examples, once) });
  return {
    parts,
    fellBack,
    messages: cache.size,
    examples: sets.filter((s) => s.key !== "development" && s.key !== "heldout").flatMap((s) => s.examples),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const showMisses = args.includes("--misses");
  const timeoutAt = args.indexOf("--timeout-ms");
  const timeoutMs = timeoutAt >= 0 ? Number(args[timeoutAt + 1]) : DEFAULT_LLM_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    console.error("--timeout-ms needs a whole number of milliseconds");
    process.exit(2);
  }
  const file = args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--timeout-ms");
  let llm: BaseChatModel | undefined;
  if (args.includes("--llm")) {
    try {
      llm = await createChatModelFromConfig({
        provider: process.env.LLM_PROVIDER,
        apiKey: process.env.LLM_API_KEY,
        baseUrl: process.env.LLM_BASE_URL,
        model: process.env.LLM_MODEL,
      });
    } catch (error) {
      if (!(error instanceof ChatModelConfigError)) throw error;
      console.error(error.message);
      process.exit(2);
    }
    if (!llm) {
      console.error("--llm needs LLM_PROVIDER (openai, anthropic or ollama) set");
      process.exit(2);
    }
  }
  const result = await evaluateThemeSets({ ...(llm ? { llm, timeoutMs } : {}), ...(file ? { file } : {}) });
  const part = (key: string) => result.parts.find((p) => p.key === key);
  result.parts.forEach((p, i) => {
    if (i > 0) console.log("");
    for (const line of formatReport(p.title, p.report)) console.log(line);
  });
  if (showMisses) {
    console.log("\nDevelopment misses:");
    for (const miss of [
      ...part("development")!.report.themeMisses,
      ...(part("residents-development")?.report.themeMisses ?? []),
    ])
      console.log(
        `  ${JSON.stringify(miss.text)}\n    expected [${miss.expected.join(", ")}] got [${miss.got.join(", ")}]`,
      );
    for (const leak of part("development")!.report.leakedPii)
      console.log(`  LEAK ${leak.type} ${JSON.stringify(leak.value)} in ${JSON.stringify(leak.redacted)}`);
  }
  for (const p of result.parts.filter((p) => p.key !== "development" && p.key !== "heldout"))
    for (const over of p.report.overRedaction.examples)
      console.log(`  over-redacted "${over.lost}": ${JSON.stringify(over.redacted)}`);

  if (llm) {
    console.log(
      `\nchat model (${process.env.LLM_PROVIDER}): the offline tagger answered ${result.fellBack} of ${result.messages} messages (error or timeout after ${timeoutMs} ms)`,
    );
  } else {
    // Time what runs per message, after a warm-up: the pure functions, and the runnable.
    const texts = result.examples.map((e) => e.text);
    const rounds = 20;
    const analyser = createTextAnalyser();
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
  }
  const all = part("all")!.report;
  console.log(`macro-F1 ${all.macroF1.toFixed(2)}, redaction recall ${all.pii.recall.toFixed(2)}`);
  if (all.macroF1 < MIN_MACRO_F1 || all.pii.recall < MIN_REDACTION_RECALL) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
