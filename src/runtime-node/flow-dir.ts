// Reads every flow file in a folder (`*.yaml`, `*.yml`; the `tests/` subfolder holds
// conversation tests, not flows) and returns the flows or every problem found, by file and line.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { formatProblem, parseFlow, type FlowProblem } from "../engine/parse-flow.js";
import { buildRegistry } from "../engine/registry.js";
import type { Flow, FlowRegistry } from "../engine/types.js";
import type { FlowSource } from "../ops/flows-lint.js";

export class FlowLoadError extends Error {
  override readonly name = "FlowLoadError";
  constructor(readonly problems: readonly FlowProblem[]) {
    super(`Flow files have errors:\n${problems.map((p) => `  ${formatProblem(p)}`).join("\n")}`);
  }
}

export function listFlowFiles(dir: string): string[] {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory())
    throw new FlowLoadError([{ file: dir, line: 1, message: "flows folder not found" }]);
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join(dir, name));
}

/** The conversation scripts of a flows folder (<dir>/tests/*.yaml), in name order. */
export function listScriptFiles(flowsDir: string): string[] {
  const dir = path.join(flowsDir, "tests");
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return [];
  return readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => path.join(dir, n));
}

const shown = (file: string) => path.relative(process.cwd(), file) || file;

/** The folder's flow files as text (named as problems show them), and its urgent-needs lexicon if it has one. */
export function flowSources(dir: string): { sources: FlowSource[]; lexicon?: FlowSource } {
  const sources = listFlowFiles(dir).map((file) => ({ file: shown(file), text: readFileSync(file, "utf8") }));
  const lexiconFile = path.join(dir, "lexicons", "urgent-needs.yaml");
  return existsSync(lexiconFile)
    ? { sources, lexicon: { file: shown(lexiconFile), text: readFileSync(lexiconFile, "utf8") } }
    : { sources };
}

export function loadFlows(dir: string): { flows: Flow[]; problems: FlowProblem[] } {
  const flows: Flow[] = [];
  const problems: FlowProblem[] = [];
  for (const { file, text } of flowSources(dir).sources) {
    const result = parseFlow(text, file);
    if (result.ok) flows.push(result.flow);
    else problems.push(...result.problems);
  }
  return { flows, problems };
}

/** Loads a folder of flows into a registry, or throws FlowLoadError naming every problem. */
export function loadRegistry(dir: string, entryFlowId: string, helpFlowId?: string): FlowRegistry {
  const { flows, problems } = loadFlows(dir);
  if (problems.length > 0) throw new FlowLoadError(problems);
  const registry = buildRegistry(flows, entryFlowId, helpFlowId);
  if (!registry.ok) throw new FlowLoadError(registry.problems);
  return registry.registry;
}
