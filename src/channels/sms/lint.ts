// A flow check only SMS needs: every text, as a resident would receive it (placeholders
// filled, options numbered, hint added), fits the segment budget in every language.
import { localise, interpolate } from "../../engine/text.js";
import { optionsOf } from "../../engine/parse-answer.js";
import type { FlowProblem } from "../../engine/parse-flow.js";
import type { Flow } from "../../engine/types.js";
import { renderAskPlain } from "../../conversation/render-plain.js";
import { segmentInfo, toGsmFriendly } from "./gsm.js";

export interface SmsLintOptions {
  readonly maxSegments: number;
  readonly languages: readonly string[];
  readonly variables: Readonly<Record<string, string>>;
}

export function checkSmsLength(flow: Flow, options: SmsLintOptions): FlowProblem[] {
  const problems: FlowProblem[] = [];
  for (const node of flow.nodes) {
    if (!("text" in node) || !node.text) continue;
    const budget = node.smsSegments ?? options.maxSegments;
    for (const language of flow.languages.filter((l) => options.languages.includes(l))) {
      const text = interpolate(localise(node.text, language), options.variables);
      let rendered = text;
      if (node.type === "question" || node.type === "consent") {
        const input = node.type === "consent" ? ({ kind: "yes_no" } as const) : node.input;
        rendered = renderAskPlain(
          {
            type: "ask",
            flowId: flow.id,
            nodeId: node.id,
            key: node.id,
            kind: node.type === "consent" ? "consent" : input.kind,
            text,
            options: optionsOf(input, options.languages).map((o) => ({
              id: o.id,
              label: localise(o.label, language),
              payload: "",
            })),
            ...(input.kind === "multi_choice" ? { maxPicks: input.maxPicks } : {}),
            ...(node.type === "question" && node.allowSkip ? { skipPayload: "s" } : {}),
            step: 1,
            refresh: false,
            reprompt: false,
          },
          language,
        );
      }
      const info = segmentInfo(toGsmFriendly(rendered));
      if (info.segments > budget) {
        problems.push({
          file: flow.file ?? flow.id,
          line: node.line ?? 1,
          nodeId: node.id,
          message: `the ${language} SMS is ${info.segments} segments (${info.units} ${info.encoding} characters), over the budget of ${budget}: shorten it or allow it with sms_segments: ${info.segments}`,
        });
      }
    }
  }
  return problems;
}
