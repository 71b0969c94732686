import path from "node:path";
import { formatProblem } from "../engine/parse-flow.js";
import { checkRegistry } from "../engine/parse-flow.js";
import { loadFlows } from "../runtime-node/flow-dir.js";
import { checkSmsLength } from "../channels/sms/lint.js";
import { cliConfig, type CliIO } from "./io.js";

/** `placevoice flows lint [dir]`: exit 0 when every flow is sound, 1 with file:line messages otherwise. */
export function lintFlows(dir: string, io: CliIO): number {
  const { flows, problems } = loadFlows(path.resolve(dir));
  problems.push(...checkRegistry(flows));
  const config = cliConfig(io);
  const variables = { privacy_url: config.privacyUrl, organisation: config.organisationName };
  for (const flow of flows)
    problems.push(
      ...checkSmsLength(flow, { maxSegments: config.smsMaxSegments, languages: config.languages, variables }),
    );
  if (problems.length > 0) {
    for (const problem of problems) io.err(formatProblem(problem));
    io.err(`\n${problems.length} problem(s) found.`);
    return 1;
  }
  io.out(`${flows.length} flow(s) OK: ${flows.map((f) => `${f.id} (${f.nodes.length} nodes)`).join(", ")}`);
  return 0;
}
