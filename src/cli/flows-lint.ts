import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { checkRegistry, formatProblem, type FlowProblem } from "../engine/parse-flow.js";
import { engineMessages } from "../engine/messages.js";
import { checkFlowPlainEnglish, plainEnglishProblems } from "../engine/plain-english.js";
import { checkStatedQuestionCount } from "../engine/question-count.js";
import { checkFlowTranslations, compareTranslations } from "../engine/translation-check.js";
import type { LocalisedText } from "../engine/types.js";
import { hostMessages, hostMessageSegments } from "../conversation/messages.js";
import { myDataLabels, myDataQuestionNames } from "../conversation/my-data.js";
import { signpostWords } from "../conversation/render-plain.js";
import { parseUrgentLexicon } from "../directory/urgent.js";
import { telegramGroupNotice, telegramWords } from "../channels/telegram/render.js";
import {
  formatSegmentTable,
  overBudget,
  smsSegmentRows,
  stringSegmentRows,
  type SegmentRow,
} from "../channels/sms/lint.js";
import { loadFlows } from "../runtime-node/flow-dir.js";
import { cliConfig, type CliIO } from "./io.js";

/** A table of words the host says itself, around the flows. */
export interface ResidentStringTable {
  readonly name: string;
  readonly file: string;
  readonly strings: Readonly<Record<string, LocalisedText>>;
  /** For messages sent as SMS on their own: the segments each may take (one unless listed). */
  readonly sms?: { readonly segments: Readonly<Partial<Record<string, number>>> };
}

/** Every table of resident-facing words outside the flow files, for the same checks as flow texts. */
export const residentStringTables: readonly ResidentStringTable[] = [
  { name: "engine", file: "src/engine/messages.ts", strings: engineMessages, sms: { segments: {} } },
  { name: "host", file: "src/conversation/messages.ts", strings: hostMessages, sms: { segments: hostMessageSegments } },
  { name: "mydata", file: "src/conversation/my-data.ts", strings: { ...myDataLabels, ...myDataQuestionNames } },
  { name: "signpost", file: "src/conversation/render-plain.ts", strings: signpostWords },
  {
    name: "telegram",
    file: "src/channels/telegram/render.ts",
    strings: { ...telegramWords, groupNotice: telegramGroupNotice },
  },
];

/** The urgent-needs lexicon's introductions, when the flows folder has one. */
function lexiconTable(dir: string): ResidentStringTable[] {
  const file = path.join(dir, "lexicons", "urgent-needs.yaml");
  if (!existsSync(file)) return [];
  const lexicon = parseUrgentLexicon(readFileSync(file, "utf8"));
  return [
    {
      name: "urgent",
      file: path.relative(process.cwd(), file) || file,
      strings: Object.fromEntries(lexicon.kinds.map((k) => [`${k.id}.intro`, k.intro])),
    },
  ];
}

/** Each string of each table in every language, saying the same things as its English, in plain English. */
export function checkStringTables(tables: readonly ResidentStringTable[], languages: readonly string[]): FlowProblem[] {
  const problems: FlowProblem[] = [];
  for (const table of tables) {
    for (const [key, text] of Object.entries(table.strings)) {
      const at = (message: string) => problems.push({ file: table.file, line: 1, message: `"${key}": ${message}` });
      for (const difference of compareTranslations(text, languages)) at(difference);
      if (text.en !== undefined) for (const problem of plainEnglishProblems(text.en)) at(`plain English: ${problem}`);
    }
  }
  return problems;
}

/**
 * `placevoice flows lint [dir] [--segments]`: exit 0 when every flow is sound, 1 with file:line
 * messages otherwise. Beyond the flow files' schema and graph: every resident-facing text (the
 * flows' and the host's own) says the same things in each language and is plain English, and
 * fits its SMS budget in each language; `--segments` prints the encoding and segments of each.
 */
export function lintFlows(dir: string, io: CliIO, options: { segments?: boolean } = {}): number {
  const folder = path.resolve(dir);
  const { flows, problems } = loadFlows(folder);
  problems.push(...checkRegistry(flows));
  const config = cliConfig(io);
  const sms = {
    maxSegments: config.smsMaxSegments,
    languages: config.languages,
    // What the texts are sent with; {max} and {min} as the shipped questions fill them.
    variables: { privacy_url: config.privacyUrl, organisation: config.organisationName, max: "3", min: "1" },
    languageVariables: {
      cy: {
        privacy_url: `${config.privacyUrl}?lang=cy`,
        ...(config.organisationNameCy ? { organisation: config.organisationNameCy } : {}),
      },
    },
  };
  const rows: SegmentRow[] = [];
  for (const flow of flows) {
    problems.push(...checkFlowTranslations(flow), ...checkFlowPlainEnglish(flow), ...checkStatedQuestionCount(flow));
    rows.push(...smsSegmentRows(flow, sms));
  }
  const languages = [...new Set([...config.languages, ...flows.flatMap((f) => f.languages)])];
  const tables = [...residentStringTables, ...lexiconTable(folder)];
  problems.push(...checkStringTables(tables, languages));
  for (const table of tables) {
    const segments = table.sms?.segments;
    if (segments)
      rows.push(...stringSegmentRows(table.name, table.strings, { ...sms, budget: (k) => segments[k] ?? 1 }));
  }
  problems.push(
    ...overBudget(rows).map((p) => {
      const table = tables.find((t) => t.name === p.file);
      return table ? { ...p, file: table.file } : p;
    }),
  );
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
