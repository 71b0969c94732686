// `flows lint`'s checks over flow files given as text, so that the command (files in a folder)
// and the operator's flows page (the same folder on Node, the bundled flows on the Worker) run
// the same code. Beyond the flow files' schema and graph: every resident-facing text (the flows'
// and the host's own) says the same things in each language and is plain English, and fits its
// SMS budget in each language.
import { checkRegistry, parseFlow, type FlowProblem } from "../engine/parse-flow.js";
import { engineMessages } from "../engine/messages.js";
import { checkFlowPlainEnglish, plainEnglishProblems } from "../engine/plain-english.js";
import { checkStatedQuestionCount } from "../engine/question-count.js";
import { checkFlowTranslations, compareTranslations } from "../engine/translation-check.js";
import type { Flow, LocalisedText } from "../engine/types.js";
import { hostMessages, hostMessageSegments } from "../conversation/messages.js";
import { myDataLabels, myDataQuestionNames } from "../conversation/my-data.js";
import { signpostWords } from "../conversation/render-plain.js";
import { parseUrgentLexicon } from "../directory/urgent.js";
import { telegramGroupNotice, telegramWords } from "../channels/telegram/render.js";
import { overBudget, smsSegmentRows, stringSegmentRows, type SegmentRow } from "../channels/sms/lint.js";
import type { Config } from "../config.js";

/** A file's name as it is shown in problems, and its text. */
export interface FlowSource {
  readonly file: string;
  readonly text: string;
}

/** What the texts are checked against: the deployment's languages, SMS budget and variables. */
export type LintSettings = Pick<
  Config,
  "smsMaxSegments" | "languages" | "privacyUrl" | "organisationName" | "organisationNameCy"
>;

export interface FlowLint {
  /** The flows that parsed (a file with schema errors is left out, and its problems listed). */
  readonly flows: readonly Flow[];
  readonly problems: readonly FlowProblem[];
  /** Every message's SMS encoding and segments per language. */
  readonly rows: readonly SegmentRow[];
}

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

/** The urgent-needs lexicon's introductions. */
function lexiconTable(lexicon: FlowSource): ResidentStringTable {
  const parsed = parseUrgentLexicon(lexicon.text);
  return {
    name: "urgent",
    file: lexicon.file,
    strings: Object.fromEntries(parsed.kinds.map((k) => [`${k.id}.intro`, k.intro])),
  };
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

/** Every check `placevoice flows lint` makes, over the flow files (and the urgent-needs lexicon, when there is one). */
export function lintFlowSources(
  sources: readonly FlowSource[],
  settings: LintSettings,
  lexicon?: FlowSource,
): FlowLint {
  const flows: Flow[] = [];
  const problems: FlowProblem[] = [];
  for (const source of sources) {
    const parsed = parseFlow(source.text, source.file);
    if (parsed.ok) flows.push(parsed.flow);
    else problems.push(...parsed.problems);
  }
  problems.push(...checkRegistry(flows));
  const sms = {
    maxSegments: settings.smsMaxSegments,
    languages: settings.languages,
    // What the texts are sent with; {max} and {min} as the shipped questions fill them.
    variables: { privacy_url: settings.privacyUrl, organisation: settings.organisationName, max: "3", min: "1" },
    languageVariables: {
      cy: {
        privacy_url: `${settings.privacyUrl}?lang=cy`,
        ...(settings.organisationNameCy ? { organisation: settings.organisationNameCy } : {}),
      },
    },
  };
  const rows: SegmentRow[] = [];
  for (const flow of flows) {
    problems.push(...checkFlowTranslations(flow), ...checkFlowPlainEnglish(flow), ...checkStatedQuestionCount(flow));
    rows.push(...smsSegmentRows(flow, sms));
  }
  const languages = [...new Set([...settings.languages, ...flows.flatMap((f) => f.languages)])];
  const tables = [...residentStringTables, ...(lexicon ? [lexiconTable(lexicon)] : [])];
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
  return { flows, problems, rows };
}
