// Reads one flow file (YAML text) into a checked Flow, or into errors that name the file,
// the line and the node. Pure: the caller reads the file.
import { isMap, LineCounter, parseDocument, type Document } from "yaml";
import type * as z from "zod";
import { flowSchema, nodeSchema, type NodeFile } from "./flow-schema.js";
import type { Flow, FlowNode, LocalisedText, QuestionInput } from "./types.js";

export interface FlowProblem {
  readonly file: string;
  readonly line: number;
  readonly nodeId?: string;
  readonly message: string;
}

export type ParseFlowResult =
  { readonly ok: true; readonly flow: Flow } | { readonly ok: false; readonly problems: readonly FlowProblem[] };

export const DEFAULT_EXPIRY_MS = 3 * 24 * 60 * 60 * 1000;

export function formatProblem(p: FlowProblem): string {
  return `${p.file}:${p.line}: ${p.nodeId ? `node "${p.nodeId}": ` : ""}${p.message}`;
}

export function parseFlow(source: string, file: string): ParseFlowResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number | undefined) => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({ file, line: lineAt(e.pos[0]), message: `YAML: ${e.message.split("\n")[0]}` })),
    };
  }
  const raw: unknown = doc.toJS();
  const top = flowSchema.safeParse(raw);
  if (!top.success) return { ok: false, problems: zodProblems(top.error, [], doc, file, lineAt) };

  const problems: FlowProblem[] = [];
  const nodes: FlowNode[] = [];
  top.data.nodes.forEach((rawNode, index) => {
    const path = ["nodes", index];
    const parsed = nodeSchema.safeParse(rawNode);
    const nodeId = typeof (rawNode as { id?: unknown })?.id === "string" ? (rawNode as { id: string }).id : undefined;
    if (!parsed.success) {
      problems.push(...zodProblems(parsed.error, path, doc, file, lineAt, nodeId));
      return;
    }
    let node = toNode(parsed.data, lineAt(nodeOffset(doc, path)));
    const segments = "sms_segments" in parsed.data ? parsed.data.sms_segments : undefined;
    if (segments) node = { ...node, smsSegments: segments };
    if (node.type === "question" && parsed.data.type === "question") {
      // A question's own reminder, else the flow's; each needs both a time and a text.
      const own = parsed.data.remind_after !== undefined || parsed.data.reminder !== undefined;
      const after = own ? parsed.data.remind_after : top.data.remind_after;
      const reminder = own ? parsed.data.reminder : top.data.reminder;
      if ((after === undefined) !== (reminder === undefined))
        problems.push({
          file,
          line: node.line ?? 1,
          nodeId: node.id,
          message:
            after === undefined
              ? "reminder needs remind_after (how long to wait, e.g. 1d)"
              : "remind_after needs a reminder text that repeats the question",
        });
      else if (after !== undefined && reminder !== undefined)
        node = { ...node, remindAfterMs: parseDuration(after), reminderText: localised(reminder) };
    }
    nodes.push(node);
  });
  if (problems.length > 0) return { ok: false, problems };

  const languages = top.data.languages;
  const flow = buildFlow({
    id: top.data.id,
    name: top.data.name,
    ...(top.data.description ? { description: top.data.description } : {}),
    languages,
    expiresAfterMs: parseDuration(top.data.expires_after),
    ...(top.data.sms_budget ? { smsBudget: top.data.sms_budget } : {}),
    nodes,
    file,
  });
  const graphProblems = checkGraph(flow, languages);
  return graphProblems.length > 0 ? { ok: false, problems: graphProblems } : { ok: true, flow };
}

export function buildFlow(spec: Omit<Flow, "nextOf" | "byId">): Flow {
  const byId = new Map<string, FlowNode>();
  const nextOf = new Map<string, string | undefined>();
  spec.nodes.forEach((node, index) => {
    if (!byId.has(node.id)) byId.set(node.id, node);
    const explicit = "next" in node ? node.next : undefined;
    const fallsThrough = node.type !== "branch" && node.type !== "goto_flow" && node.type !== "end";
    nextOf.set(node.id, explicit ?? (fallsThrough ? spec.nodes[index + 1]?.id : undefined));
  });
  return { ...spec, byId, nextOf };
}

function parseDuration(value: string | number | undefined): number {
  if (value === undefined) return DEFAULT_EXPIRY_MS;
  if (typeof value === "number") return value * 1000;
  const m = /^(\d+)\s*(m|h|d)$/.exec(value)!;
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "m" | "h" | "d"];
  return Number(m[1]) * unit;
}

function localised(text: string | Record<string, string>): LocalisedText {
  return typeof text === "string" ? { en: text } : text;
}

function toNode(n: NodeFile, line: number): FlowNode {
  switch (n.type) {
    case "message":
      return { id: n.id, line, type: "message", text: localised(n.text), ...(n.next ? { next: n.next } : {}) };
    case "consent":
      return {
        id: n.id,
        line,
        type: "consent",
        text: localised(n.text),
        declined: n.declined,
        ...(n.next ? { next: n.next } : {}),
      };
    case "question": {
      let input: QuestionInput;
      switch (n.input) {
        case "single_choice":
          input = {
            kind: "single_choice",
            options: n.options.map((o) => ({
              id: o.id,
              label: localised(o.label),
              ...(o.synonyms ? { synonyms: o.synonyms } : {}),
            })),
          };
          break;
        case "multi_choice":
          input = {
            kind: "multi_choice",
            options: n.options.map((o) => ({
              id: o.id,
              label: localised(o.label),
              ...(o.synonyms ? { synonyms: o.synonyms } : {}),
            })),
            maxPicks: n.max_picks,
            minPicks: n.min_picks,
          };
          break;
        case "text":
          input = { kind: "text", maxLength: n.max_length, minLength: n.min_length };
          break;
        case "number":
          input = { kind: "number", min: n.min, max: n.max, integer: n.integer };
          break;
        default:
          input = { kind: n.input };
      }
      return {
        id: n.id,
        line,
        type: "question",
        key: n.key ?? n.id,
        text: localised(n.text),
        input,
        ...(n.invalid ? { invalidText: localised(n.invalid) } : {}),
        allowSkip: n.allow_skip,
        retries: n.retries,
        onGiveUp: n.on_give_up ?? (n.allow_skip ? "next" : "end"),
        ...(n.next ? { next: n.next } : {}),
      };
    }
    case "branch":
      return { id: n.id, line, type: "branch", on: n.on, cases: n.cases, default: n.default };
    case "set_field":
      return { id: n.id, line, type: "set_field", field: n.field, value: n.value, ...(n.next ? { next: n.next } : {}) };
    case "goto_flow":
      return { id: n.id, line, type: "goto_flow", flow: n.flow };
    case "signpost":
      return {
        id: n.id,
        line,
        type: "signpost",
        text: localised(n.text),
        max: n.max,
        ...(n.themes_from ? { themesFrom: n.themes_from } : {}),
        ...(n.text_from ? { textFrom: n.text_from } : {}),
        ...(n.other_options_from ? { otherOptionsFrom: n.other_options_from } : {}),
        ...(n.next ? { next: n.next } : {}),
      };
    case "groups":
      return {
        id: n.id,
        line,
        type: "groups",
        text: localised(n.text),
        noneText: localised(n.none),
        kindsFrom: n.kinds_from,
        max: n.max,
        ...(n.text_from ? { textFrom: n.text_from } : {}),
        ...(n.next ? { next: n.next } : {}),
      };
    case "end":
      return { id: n.id, line, type: "end", ...(n.text ? { text: localised(n.text) } : {}) };
  }
}

/** Graph checks on one flow: duplicate ids, unknown targets, unreachable nodes, dead ends, loops, missing translations. */
export function checkGraph(flow: Flow, languages: readonly string[]): FlowProblem[] {
  const file = flow.file ?? flow.id;
  const problems: FlowProblem[] = [];
  const at = (node: FlowNode, message: string) =>
    problems.push({ file, line: node.line ?? 1, nodeId: node.id, message });

  const seen = new Set<string>();
  const keys = new Map<string, string>();
  for (const node of flow.nodes) {
    if (seen.has(node.id)) at(node, `duplicate node id "${node.id}"`);
    seen.add(node.id);
    if (node.type === "question") {
      const other = keys.get(node.key);
      if (other) at(node, `answer key "${node.key}" is already used by node "${other}"`);
      keys.set(node.key, node.id);
      if (node.input.kind === "multi_choice" && node.input.minPicks > node.input.maxPicks)
        at(node, "min_picks is larger than max_picks");
      if (node.input.kind === "number" && node.input.min > node.input.max) at(node, "min is larger than max");
      if (node.remindAfterMs !== undefined && node.remindAfterMs >= flow.expiresAfterMs)
        at(node, "remind_after must be shorter than the flow's expires_after, or the reminder is never sent");
      if (
        (node.input.kind === "single_choice" || node.input.kind === "multi_choice") &&
        new Set(node.input.options.map((o) => o.id)).size !== node.input.options.length
      ) {
        at(node, "two options share an id");
      }
    }
    if (node.type === "signpost") {
      const answerKeys = new Set(flow.nodes.flatMap((n) => (n.type === "question" ? [n.key] : [])));
      if (node.themesFrom && !answerKeys.has(node.themesFrom))
        at(node, `themes_from "${node.themesFrom}" is not the key of a question in this flow`);
      if (node.textFrom && !answerKeys.has(node.textFrom))
        at(node, `text_from "${node.textFrom}" is not the key of a question in this flow`);
      if (node.otherOptionsFrom) {
        const source = flow.byId.get(node.otherOptionsFrom);
        if (
          source?.type !== "question" ||
          (source.input.kind !== "single_choice" && source.input.kind !== "multi_choice")
        ) {
          at(node, `other_options_from "${node.otherOptionsFrom}" must be a choice question in this flow`);
        }
      }
    }
    if (node.type === "groups") {
      const source = flow.nodes.find((n) => n.type === "question" && n.key === node.kindsFrom);
      if (
        source?.type !== "question" ||
        (source.input.kind !== "single_choice" && source.input.kind !== "multi_choice")
      )
        at(node, `kinds_from "${node.kindsFrom}" must be the key of a choice question in this flow`);
      if (node.textFrom && !flow.nodes.some((n) => n.type === "question" && n.key === node.textFrom))
        at(node, `text_from "${node.textFrom}" is not the key of a question in this flow`);
    }
    if (node.type === "set_field" && node.field === "language" && !languages.includes(node.value)) {
      at(node, `language "${node.value}" is not one of the flow's languages (${languages.join(", ")})`);
    }
    for (const [where, text] of textsOf(node)) {
      for (const language of languages) if (!text[language]) at(node, `${where} has no "${language}" text`);
    }
  }

  const targets = (node: FlowNode): string[] => {
    const list: string[] = [];
    const next = flow.nextOf.get(node.id);
    if (next) list.push(next);
    if (node.type === "consent") list.push(node.declined);
    if (node.type === "branch") list.push(...node.cases.map((c) => c.goto), node.default);
    return list;
  };
  for (const node of flow.nodes) {
    for (const target of targets(node)) if (!flow.byId.has(target)) at(node, `goes to unknown node "${target}"`);
    const terminal = node.type === "end" || node.type === "goto_flow" || node.type === "branch";
    if (!terminal && !flow.nextOf.get(node.id))
      at(node, "dead end: nothing comes after this node (add `next:` or an `end` node)");
  }

  const reachable = new Set<string>();
  const queue = flow.nodes[0] ? [flow.nodes[0].id] : [];
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (reachable.has(id)) continue;
    reachable.add(id);
    const node = flow.byId.get(id);
    if (node) queue.push(...targets(node).filter((t) => flow.byId.has(t)));
  }
  for (const node of flow.nodes)
    if (!reachable.has(node.id)) at(node, "unreachable: no path from the first node leads here");

  // A cycle made only of nodes that never wait for the resident would spin forever.
  const waits = (n: FlowNode) => n.type === "question" || n.type === "consent" || n.type === "signpost";
  const state = new Map<string, "visiting" | "done">();
  const visit = (id: string): boolean => {
    const node = flow.byId.get(id);
    if (!node || waits(node)) return false;
    if (state.get(id) === "done") return false;
    if (state.get(id) === "visiting") return true;
    state.set(id, "visiting");
    const loops = targets(node).some(visit);
    state.set(id, "done");
    return loops;
  };
  for (const node of flow.nodes) {
    if (!waits(node) && !state.has(node.id) && visit(node.id))
      at(node, "loop: these nodes go round without asking the resident anything");
  }
  return problems;
}

/** The resident-facing texts of a node, each named for messages: text, invalid, option labels. */
export function textsOf(node: FlowNode): [string, LocalisedText][] {
  const list: [string, LocalisedText][] = [];
  if ("text" in node && node.text) list.push(["text", node.text]);
  if (node.type === "groups") list.push(["none", node.noneText]);
  if (node.type === "question") {
    if (node.invalidText) list.push(["invalid", node.invalidText]);
    if (node.reminderText) list.push(["reminder", node.reminderText]);
    if (node.input.kind === "single_choice" || node.input.kind === "multi_choice") {
      for (const o of node.input.options) list.push([`option "${o.id}"`, o.label]);
    }
  }
  return list;
}

function nodeOffset(doc: Document, path: readonly (string | number)[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === "object" && node.range) return node.range[0];
  }
  return undefined;
}

function zodProblems(
  error: z.ZodError,
  prefix: readonly (string | number)[],
  doc: Document,
  file: string,
  lineAt: (offset: number | undefined) => number,
  nodeId?: string,
): FlowProblem[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...(issue.path as (string | number)[])];
    // For a wrong key, point at the key itself rather than its parent map.
    let offset = nodeOffset(doc, path);
    if (issue.code === "unrecognized_keys") {
      const map = doc.getIn(path, true);
      if (isMap(map)) {
        const pair = map.items.find((p) => issue.keys.includes(String((p.key as { value?: unknown })?.value)));
        const keyNode = pair?.key as { range?: [number, number, number] } | undefined;
        if (keyNode?.range) offset = keyNode.range[0];
      }
    }
    const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    const missing = issue.code === "invalid_type" && issue.message.endsWith("received undefined");
    const message =
      issue.code === "unrecognized_keys"
        ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(", ")}`
        : missing
          ? `is required (${issue.expected})`
          : issue.message;
    return { file, line: lineAt(offset), ...(nodeId ? { nodeId } : {}), message: `${where}${message}` };
  });
}

/** Checks that span flows: goto_flow targets exist. */
export function checkRegistry(flows: readonly Flow[]): FlowProblem[] {
  const ids = new Set(flows.map((f) => f.id));
  const problems: FlowProblem[] = [];
  const seen = new Map<string, string>();
  for (const flow of flows) {
    const other = seen.get(flow.id);
    if (other)
      problems.push({
        file: flow.file ?? flow.id,
        line: 1,
        message: `flow id "${flow.id}" is already used by ${other}`,
      });
    seen.set(flow.id, flow.file ?? flow.id);
    for (const node of flow.nodes) {
      if (node.type === "goto_flow" && !ids.has(node.flow)) {
        problems.push({
          file: flow.file ?? flow.id,
          line: node.line ?? 1,
          nodeId: node.id,
          message: `goes to unknown flow "${node.flow}"`,
        });
      }
    }
  }
  return problems;
}
