// The periods insight is published for: fixed four-week blocks of whole ISO weeks (the same
// boundaries for everyone, for ever), the last 52 weeks (13 blocks), and all time. Never any
// day: a query space of any from/to lets two windows a week apart single out the residents of
// that week (docs/disclosure.md).
import { isoWeek } from "../store/week.js";

const DAY = 86_400_000;
/** Block 0 starts on Monday 1 January 2024 (ISO 2024-W01); every block is 28 days. */
export const BLOCK_ANCHOR = Date.UTC(2024, 0, 1);
export const BLOCK_DAYS = 28;
export const YEAR_BLOCKS = 13;

export type PeriodKind = "block" | "year" | "all";

export interface Period {
  readonly kind: PeriodKind;
  /** What a client sends to ask for it again: "2026-11-30", "year" or "all". */
  readonly id: string;
  /** First and last day whose answers are counted (YYYY-MM-DD). */
  readonly from: string;
  readonly to: string;
  /** ISO weeks the running totals are read for, inclusive; absent for all time. */
  readonly weeks?: { readonly first: string; readonly last: string };
}

const ymd = (t: number) => new Date(t).toISOString().slice(0, 10);
const dayOf = (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());

export function blockIndexOf(date: Date): number {
  return Math.floor((dayOf(date) - BLOCK_ANCHOR) / (BLOCK_DAYS * DAY));
}

export function blockStart(index: number): number {
  return BLOCK_ANCHOR + index * BLOCK_DAYS * DAY;
}

/** One block, its last day capped at today. */
export function blockPeriod(index: number, today: Date): Period {
  const start = blockStart(index);
  const end = Math.min(start + (BLOCK_DAYS - 1) * DAY, dayOf(today));
  return {
    kind: "block",
    id: ymd(start),
    from: ymd(start),
    to: ymd(end),
    weeks: { first: isoWeek(new Date(start)), last: isoWeek(new Date(start + (BLOCK_DAYS - 1) * DAY)) },
  };
}

export function yearPeriod(today: Date): Period {
  const current = blockIndexOf(today);
  const start = blockStart(current - YEAR_BLOCKS + 1);
  return {
    kind: "year",
    id: "year",
    from: ymd(start),
    to: ymd(dayOf(today)),
    weeks: { first: isoWeek(new Date(start)), last: isoWeek(new Date(blockStart(current) + (BLOCK_DAYS - 1) * DAY)) },
  };
}

/** All time: from the Monday of the first week anyone answered (`firstWeekStart`, none yet: today) to today. */
export function allTimePeriod(today: Date, firstWeekStart: Date | undefined): Period {
  return { kind: "all", id: "all", from: ymd(dayOf(firstWeekStart ?? today)), to: ymd(dayOf(today)) };
}

export type PeriodRequest =
  { readonly kind: "all" } | { readonly kind: "year" } | { readonly kind: "block"; readonly index: number };

/** A client's `period`: "all" (also when absent), "year", or any day of a block (YYYY-MM-DD). */
export function parsePeriod(value: string | undefined, today: Date): PeriodRequest | { readonly error: string } {
  if (value === undefined || value === "" || value === "all") return { kind: "all" };
  if (value === "year") return { kind: "year" };
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(t) || ymd(t) !== value)
    return {
      error: `period: "${value}" is not a date; use "all", "year" or a day of the four-week block you want, e.g. ${blockPeriod(blockIndexOf(today), today).id}`,
    };
  const index = blockIndexOf(new Date(t));
  if (index > blockIndexOf(today)) return { error: `period: the block holding ${value} has not started yet` };
  if (index < 0) return { error: `period: nothing is counted before ${ymd(BLOCK_ANCHOR)}` };
  return { kind: "block", index };
}

/** The blocks a period spans (for trends), oldest first; `firstWeekStart` bounds all time. */
export function blocksOf(period: Period, today: Date): number[] {
  const last = period.kind === "block" ? blockIndexOf(new Date(`${period.from}T00:00:00Z`)) : blockIndexOf(today);
  const first = period.kind === "block" ? last : blockIndexOf(new Date(`${period.from}T00:00:00Z`));
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
}

/** "5 Oct – 1 Nov 2026": a block as people read it. */
export function periodLabel(period: Pick<Period, "from" | "to">, language: "en" | "cy" = "en"): string {
  const fmt = (d: string, withYear: boolean) =>
    new Intl.DateTimeFormat(language === "cy" ? "cy-GB" : "en-GB", {
      day: "numeric",
      month: "short",
      ...(withYear ? { year: "numeric" } : {}),
      timeZone: "UTC",
    }).format(new Date(`${d}T00:00:00Z`));
  if (period.from === period.to) return fmt(period.from, true);
  return `${fmt(period.from, period.from.slice(0, 4) !== period.to.slice(0, 4))} – ${fmt(period.to, true)}`;
}
