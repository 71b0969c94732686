// How many questions a flow asks, counted from the flow itself, so that a consent message can
// say it truthfully ("{questions}") and the linter can catch a number written by hand that is
// not ("It's 4 quick questions" before six).
import type { FlowProblem } from "./parse-flow.js";
import type { Flow, FlowNode, LocalisedText } from "./types.js";

export interface QuestionCount {
  /** Questions on the shortest path to the end (after consent is given). */
  readonly fewest: number;
  /** Questions on the longest path. */
  readonly most: number;
}

/** Where the count starts: after the first consent (what it asks agreement for), or the first node. */
function startOf(flow: Flow): string | undefined {
  const consent = flow.nodes.find((n) => n.type === "consent");
  return consent ? flow.nextOf.get(consent.id) : flow.nodes[0]?.id;
}

/** A question the resident answers; the language question sets how we talk, and is not counted. */
const isCountedQuestion = (node: FlowNode) => node.type === "question" && node.input.kind !== "language";

function targetsOf(flow: Flow, node: FlowNode): string[] {
  if (node.type === "branch") return [...node.cases.map((c) => c.goto), node.default];
  const next = flow.nextOf.get(node.id);
  // A consent met again further on is passed (it was given): only its "yes" path counts.
  return next ? [next] : [];
}

const cache = new WeakMap<Flow, QuestionCount>();

/** The questions a resident is asked after agreeing, the fewest and the most over every path. */
export function questionCount(flow: Flow): QuestionCount {
  const known = cache.get(flow);
  if (known) return known;
  const memo = new Map<string, QuestionCount>();
  const onPath = new Set<string>();
  const walk = (id: string | undefined): QuestionCount => {
    const node = id === undefined ? undefined : flow.byId.get(id);
    // The end of the flow, another flow, or a loop back to a node already on this path.
    if (!node || node.type === "goto_flow" || onPath.has(node.id)) return { fewest: 0, most: 0 };
    const seen = memo.get(node.id);
    if (seen) return seen;
    onPath.add(node.id);
    const after = targetsOf(flow, node).map(walk);
    onPath.delete(node.id);
    const own = isCountedQuestion(node) ? 1 : 0;
    const result = {
      fewest: own + (after.length > 0 ? Math.min(...after.map((a) => a.fewest)) : 0),
      most: own + (after.length > 0 ? Math.max(...after.map((a) => a.most)) : 0),
    };
    memo.set(node.id, result);
    return result;
  };
  const count = walk(startOf(flow));
  cache.set(flow, count);
  return count;
}

// "4 questions", "4 quick questions", "2 gwestiwn", "6 o gwestiynau", "chwe chwestiwn" in digits.
const STATED = /(\d+)\s+(?:\p{L}+\s+){0,2}?(?:questions?|[cg]westi(?:wn|ynau)|chwesti(?:wn|ynau))\b/giu;

/**
 * A consent text that states a number of questions by hand must state the true one (the
 * shipped flows say `{questions}` instead, which the engine fills in from the flow).
 */
export function checkStatedQuestionCount(flow: Flow): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const count = questionCount(flow);
  for (const node of flow.nodes) {
    if (node.type !== "consent") continue;
    const text: LocalisedText = node.text;
    for (const [language, words] of Object.entries(text)) {
      for (const m of words.matchAll(STATED)) {
        const stated = Number(m[1]);
        if (stated >= count.fewest && stated <= count.most) continue;
        const truth = count.fewest === count.most ? `${count.most}` : `${count.fewest} to ${count.most}`;
        problems.push({
          file: flow.file ?? flow.id,
          line: node.line ?? 1,
          nodeId: node.id,
          message: `the ${language} text says "${m[0]}" but the flow asks ${truth} after consent: write {questions}, which counts them`,
        });
      }
    }
  }
  return problems;
}
