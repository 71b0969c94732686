// Flows at a glance on Node (/dashboard/admin/flows): the flows folder as it is now, linted as
// `placevoice flows lint` does (src/ops/flows-lint.ts) and with its conversation tests run as
// `placevoice flows test` does (runScriptFile), so an officer sees what an edit did before the
// service is restarted with it. A test's result is kept for as long as the flow files, the
// lexicon and the test itself are unchanged (by their content), so the page runs only the tests
// a change could affect. The page does not wait for them: they run one after another in the
// background, and until the last is done the page says how far they got (reload to see them).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "../config.js";
import { buildRegistry } from "../engine/registry.js";
import { lintFlowSources, type FlowSource } from "../ops/flows-lint.js";
import type { FlowsGlance, FlowTestRun } from "../web/flows-view.js";
import type { FlowRegistry } from "../engine/types.js";
import { flowSources, listScriptFiles } from "./flow-dir.js";

/** How many versions of the folder's test results are kept. */
const KEPT_VERSIONS = 4;

const hash = (...parts: string[]) => {
  const h = createHash("sha256");
  for (const part of parts) h.update(`${part.length}:${part}`);
  return h.digest("hex");
};

const folderHash = (sources: readonly FlowSource[], lexicon?: FlowSource) =>
  hash(...sources.flatMap((s) => [s.file, s.text]), lexicon?.text ?? "");

/** Runs the conversation tests: script-driver's runScriptFile, and the environment they run with. */
export interface FlowTests {
  readonly run: (
    file: string,
    registry: FlowRegistry,
    env: Readonly<Record<string, string | undefined>>,
  ) => Promise<FlowTestRun>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function nodeFlowsGlance(options: {
  readonly dir: string;
  readonly config: Config;
  readonly tests: FlowTests | undefined;
}): () => Promise<FlowsGlance> {
  const dir = path.resolve(options.dir);
  // The files as the service loaded them (it reads them once, at start).
  const atStart = new Map(flowSources(dir).sources.map((s) => [s.file, s.text]));
  /** Each test's run by content key: its result once it is done. */
  const results = new Map<string, { done?: FlowTestRun; readonly finished: Promise<void> }>();
  /** The end of the queue of runs: each starts after the one before, never two at once. */
  let queue: Promise<void> = Promise.resolve();

  return async () => {
    const { sources, lexicon } = flowSources(dir);
    const lint = lintFlowSources(sources, options.config, lexicon);
    const changed = [
      ...sources.filter((s) => atStart.get(s.file) !== s.text).map((s) => s.file),
      ...[...atStart.keys()].filter((file) => !sources.some((s) => s.file === file)),
    ];
    const source = `the flows folder ${path.relative(process.cwd(), dir) || dir}`;
    const parsedAll = lint.flows.length === sources.length;
    const registry = parsedAll
      ? buildRegistry(lint.flows, options.config.entryFlow, options.config.helpFlow)
      : undefined;
    const tests = options.tests;
    if (!tests)
      return {
        source,
        lint,
        changed,
        tests: { unavailable: "The conversation tests do not run in this process: run `placevoice flows test`." },
      };
    if (!registry?.ok)
      return {
        source,
        lint,
        changed,
        tests: { unavailable: "The flows do not load (see the problems above), so the conversation tests cannot run." },
      };
    const flowsKey = folderHash(sources, lexicon);
    const current = new Set<string>();
    const entries: { done?: FlowTestRun }[] = [];
    for (const file of listScriptFiles(dir)) {
      const key = hash(flowsKey, file, readFileSync(file, "utf8"));
      current.add(key);
      let entry = results.get(key);
      // Most recently used last, so that the oldest are the ones dropped.
      if (entry) results.delete(key);
      else {
        const made: { done?: FlowTestRun; finished: Promise<void> } = { finished: Promise.resolve() };
        made.finished = queue.then(async () => {
          made.done = await tests.run(file, registry.registry, tests.env).catch((error: Error): FlowTestRun => ({
            file: path.relative(process.cwd(), file) || file,
            name: path.basename(file),
            failures: [error.message],
          }));
        });
        queue = made.finished;
        entry = made;
      }
      results.set(key, entry);
      entries.push(entry);
    }
    // The latest results are kept, the oldest dropped: enough for a few versions of the folder
    // (an edit and its undoing), never more.
    for (const key of results.keys()) if (results.size > KEPT_VERSIONS * current.size) results.delete(key);
    const runs = entries.flatMap((e) => (e.done ? [e.done] : []));
    if (runs.length < entries.length)
      return { source, lint, changed, tests: { running: { done: runs.length, total: entries.length } } };
    return { source, lint, changed, tests: { runs } };
  };
}
