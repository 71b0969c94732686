// Puts parsed flows together and checks what spans them (goto_flow targets, entry and help flows).
import { checkRegistry, type FlowProblem } from "./parse-flow.js";
import type { Flow, FlowRegistry } from "./types.js";

export type RegistryResult =
  | { readonly ok: true; readonly registry: FlowRegistry }
  | { readonly ok: false; readonly problems: readonly FlowProblem[] };

export function buildRegistry(flows: readonly Flow[], entryFlowId: string, helpFlowId?: string): RegistryResult {
  const problems = checkRegistry(flows);
  const byId = new Map(flows.map((f) => [f.id, f]));
  if (!byId.has(entryFlowId))
    problems.push({
      file: "(configuration)",
      line: 1,
      message: `entry flow "${entryFlowId}" was not found among ${flows.length} flow(s)`,
    });
  if (helpFlowId && !byId.has(helpFlowId))
    problems.push({ file: "(configuration)", line: 1, message: `help flow "${helpFlowId}" was not found` });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, registry: { flows: byId, entryFlowId, ...(helpFlowId ? { helpFlowId } : {}) } };
}
