// A flow check only SMS needs: every text, as a resident would receive it (placeholders
// filled, options numbered, hint added), fits the segment budget in every language. The same
// rows make the per-language report of `placevoice flows lint --segments`.
import { reminderMessage } from "../../engine/step.js";
import { localise, interpolate } from "../../engine/text.js";
import { optionsOf } from "../../engine/parse-answer.js";
import type { FlowProblem } from "../../engine/parse-flow.js";
import { questionCount } from "../../engine/question-count.js";
import type { Flow, FlowNode, LocalisedText } from "../../engine/types.js";
import { renderAskPlain } from "../../conversation/render-plain.js";
import { segmentInfo, toGsmFriendly, type SegmentInfo } from "./gsm.js";

export interface SmsLintOptions {
  /** The budget where neither the node (`sms_segments`) nor the flow (`sms_budget`) states one. */
  readonly maxSegments: number;
  readonly languages: readonly string[];
  readonly variables: Readonly<Record<string, string>>;
  /** Values that differ by language: the Welsh privacy page, the organisation's Welsh name. */
  readonly languageVariables?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** One message as SMS, in each language: its encoding, length and segments against its budget. */
export interface SegmentRow {
  /** The flow id, or the name of a table of the host's own messages. */
  readonly source: string;
  /** The node id (with "invalid" for its re-prompt), or the message's key. */
  readonly item: string;
  readonly file?: string;
  readonly line?: number;
  readonly nodeId?: string;
  readonly budget: number;
  readonly byLanguage: Readonly<Record<string, SegmentInfo>>;
}

function varsFor(options: SmsLintOptions, language: string, extra: Readonly<Record<string, string>> = {}) {
  return { ...options.variables, ...options.languageVariables?.[language], ...extra };
}

/** The node's text as a resident receives it: question texts with their numbered options and hint. */
function rendered(flow: Flow, node: FlowNode, text: string, language: string, languages: readonly string[]): string {
  if (node.type !== "question" && node.type !== "consent") return text;
  const input = node.type === "consent" ? ({ kind: "yes_no" } as const) : node.input;
  return renderAskPlain(
    {
      type: "ask",
      flowId: flow.id,
      nodeId: node.id,
      key: node.id,
      kind: node.type === "consent" ? "consent" : input.kind,
      text,
      options: optionsOf(input, languages).map((o) => ({ id: o.id, label: localise(o.label, language), payload: "" })),
      ...(input.kind === "multi_choice" ? { maxPicks: input.maxPicks } : {}),
      ...(node.type === "question" && node.allowSkip ? { skipPayload: "s" } : {}),
      step: 1,
      refresh: false,
      reprompt: false,
    },
    language,
  );
}

/** Every text of a flow as SMS, per language. */
export function smsSegmentRows(flow: Flow, options: SmsLintOptions): SegmentRow[] {
  const rows: SegmentRow[] = [];
  const languages = flow.languages.filter((l) => options.languages.includes(l));
  const counted = { questions: String(questionCount(flow).most) };
  for (const node of flow.nodes) {
    const texts: [string, LocalisedText, boolean][] = [];
    if ("text" in node && node.text) texts.push([node.id, node.text, true]);
    if (node.type === "question" && node.invalidText) texts.push([`${node.id} (invalid)`, node.invalidText, false]);
    if (node.type === "groups") texts.push([`${node.id} (none)`, node.noneText, false]);
    const reminder = node.type === "question" ? reminderMessage(node) : undefined;
    if (reminder) texts.push([`${node.id} (reminder)`, reminder, true]);
    for (const [item, text, asked] of texts) {
      const byLanguage: Record<string, SegmentInfo> = {};
      for (const language of languages) {
        const filled = interpolate(localise(text, language), varsFor(options, language, counted));
        const sms = asked ? rendered(flow, node, filled, language, options.languages) : filled;
        byLanguage[language] = segmentInfo(toGsmFriendly(sms));
      }
      rows.push({
        source: flow.id,
        item,
        ...(flow.file ? { file: flow.file } : {}),
        line: node.line ?? 1,
        nodeId: node.id,
        budget: node.smsSegments ?? flow.smsBudget ?? options.maxSegments,
        byLanguage,
      });
    }
  }
  return rows;
}

/** A table of the host's own messages as SMS, per language, each against its budget. */
export function stringSegmentRows(
  source: string,
  table: Readonly<Record<string, LocalisedText>>,
  options: SmsLintOptions & { readonly budget: (key: string) => number },
): SegmentRow[] {
  return Object.entries(table).map(([key, text]) => {
    const byLanguage: Record<string, SegmentInfo> = {};
    for (const language of options.languages) {
      byLanguage[language] = segmentInfo(
        toGsmFriendly(interpolate(localise(text, language), varsFor(options, language))),
      );
    }
    return { source, item: key, budget: options.budget(key), byLanguage };
  });
}

/** The rows over their budget, as problems with file, line and node. */
export function overBudget(rows: readonly SegmentRow[]): FlowProblem[] {
  const problems: FlowProblem[] = [];
  for (const row of rows) {
    for (const [language, info] of Object.entries(row.byLanguage)) {
      if (info.segments <= row.budget) continue;
      const allow = row.nodeId ? `: shorten it or allow it with sms_segments: ${info.segments}` : ": shorten it";
      problems.push({
        file: row.file ?? row.source,
        line: row.line ?? 1,
        ...(row.nodeId ? { nodeId: row.nodeId } : {}),
        message: `${row.nodeId ? "" : `"${row.item}": `}the ${language} SMS${row.item.endsWith("(invalid)") ? " re-prompt" : ""} is ${info.segments} segments (${info.units} ${info.encoding} characters), over the budget of ${row.budget}${allow}`,
      });
    }
  }
  return problems;
}

export function checkSmsLength(flow: Flow, options: SmsLintOptions): FlowProblem[] {
  return overBudget(smsSegmentRows(flow, options));
}

/** The rows as a table, one column per language: "2 UCS-2 (104)"; "!" over budget, "+" costs more than the first language. */
export function formatSegmentTable(rows: readonly SegmentRow[], languages: readonly string[]): string[] {
  const header = ["where", "message", "budget", ...languages];
  const body = rows.map((row) => {
    const first = row.byLanguage[languages[0]!];
    return [
      row.source,
      row.item,
      String(row.budget),
      ...languages.map((language) => {
        const info = row.byLanguage[language];
        if (!info) return "-";
        const marks = (info.segments > row.budget ? "!" : "") + (first && info.segments > first.segments ? "+" : "");
        return `${info.segments} ${info.encoding} (${info.units})${marks ? ` ${marks}` : ""}`;
      }),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  return [header, ...body].map((cells) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd(),
  );
}
