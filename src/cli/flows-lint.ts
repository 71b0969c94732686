import path from "node:path";
import { formatProblem } from "../engine/parse-flow.js";
import { formatSegmentTable } from "../channels/sms/lint.js";
import { lintFlowSources } from "../ops/flows-lint.js";
import { flowSources } from "../runtime-node/flow-dir.js";
import { cliConfig, type CliIO } from "./io.js";

/**
 * `placevoice flows lint [dir] [--segments]`: exit 0 when every flow is sound, 1 with file:line
 * messages otherwise. The checks are src/ops/flows-lint.ts's (the operator's flows page runs the
 * same); `--segments` prints the encoding and segments of each message.
 */
export function lintFlows(dir: string, io: CliIO, options: { segments?: boolean } = {}): number {
  const config = cliConfig(io);
  const { sources, lexicon } = flowSources(path.resolve(dir));
  const { flows, problems, rows } = lintFlowSources(sources, config, lexicon);
  if (options.segments) {
    io.out("SMS segments per message and language (! over budget, + more than in the first language):");
    for (const line of formatSegmentTable(rows, config.languages)) io.out(line);
    io.out("");
  }
  if (problems.length > 0) {
    for (const problem of problems) io.err(formatProblem(problem));
    io.err(`\n${problems.length} problem(s) found.`);
    return 1;
  }
  io.out(`${flows.length} flow(s) OK: ${flows.map((f) => `${f.id} (${f.nodes.length} nodes)`).join(", ")}`);
  return 0;
}
