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

/** A theme table: suppressed counts read "fewer than K", never a number. */
export function themeTableCsv(rows: readonly ThemeRow[], label: (theme: string) => string, threshold: number): string {
  const fewer = `fewer than ${threshold}`;
  return toCsv([
    ["theme", "label", "residents", "share_percent"],
    ...rows.map((r) => [r.theme, label(r.theme), r.count ?? fewer, r.share]),
  ]);
}
