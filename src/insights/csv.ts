// CSV as partners download it (RFC 4180 quoting, CRLF lines), shared by the API and dashboard.
import type { ThemeRow } from "./queries.js";

type Cell = string | number | null;

function csvCell(value: Cell): string {
  const text = value === null ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: readonly (readonly Cell[])[]): string {
  return `${rows.map((r) => r.map(csvCell).join(",")).join("\r\n")}\r\n`;
}

/** What a downloaded table covers: said on every row, so a file that travels on its own still says it. */
export interface TableContext {
  /** The district, or the partner's areas ("ST3 ST6"), or "all areas". */
  readonly area: string;
  /** The name(s) people know the area by ("Burslem"; "Longton; Burslem"), or "" when it has none. */
  readonly areaName?: string;
  readonly period: { readonly from: string; readonly to: string };
  /** The question, or what the themes were found in. */
  readonly question: string;
  /** Residents the table covers, as published. */
  readonly respondents: number | null;
  readonly generatedAt: Date;
}

/** A theme table: suppressed counts read "fewer than K", never a number; every row carries its context. */
export function themeTableCsv(
  rows: readonly ThemeRow[],
  label: (theme: string) => string,
  threshold: number,
  context: TableContext,
): string {
  const fewer = `fewer than ${threshold}`;
  const note = `Numbers under ${threshold} are withheld and the others slightly adjusted, so that no small group of residents can be worked out.`;
  const lead = [
    context.area,
    context.areaName ?? "",
    context.period.from,
    context.period.to,
    context.question,
    context.respondents ?? fewer,
  ];
  return toCsv([
    [
      "area",
      "area_name",
      "period_from",
      "period_to",
      "question",
      "respondents",
      "theme",
      "label",
      "residents",
      "share_percent",
      "generated_at",
      "note",
    ],
    ...rows.map((r) => [
      ...lead,
      r.theme,
      label(r.theme),
      r.count ?? fewer,
      r.share,
      context.generatedAt.toISOString(),
      note,
    ]),
  ]);
}

/** What each table is called in file names. */
export const TABLE_NAME = { choice: "priorities", text: "themes", offer: "offers" } as const;

/** A file name that says what the file is: "priorities_ST6_2026-11-30_to_2026-12-27.csv". */
export function tableFilename(
  source: (typeof TABLE_NAME)[keyof typeof TABLE_NAME],
  area: string,
  period: { readonly from: string; readonly to: string },
): string {
  return `${source}_${area.replace(/[^A-Za-z0-9]+/g, "-")}_${period.from}_to_${period.to}.csv`;
}

export const QUESTION_TEXT = {
  choice: "What matters most to you in your area? (up to three priorities each)",
  text: "Themes found in what residents wrote in their own words",
  offer: "What could you offer your area? (up to three kinds each)",
} as const;

/** The names of `codes` for a CSV's area_name ("Longton; Burslem"): "" when none of them has one. */
export function areaNamesOf(codes: readonly string[], names: Readonly<Record<string, string>>): string {
  return codes.some((c) => names[c]) ? codes.map((c) => names[c] ?? c).join("; ") : "";
}
