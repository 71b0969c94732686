// Aggregates over theme facts, with disclosure control applied before anything is returned.
// This is the only road from residents' answers to partners (DESIGN.md).
import type { PrismaClient } from "../generated/prisma/client.js";
import { RESPONDENT_KEY } from "./rollups.js";
import { isoWeek } from "./week.js";
import { protectCell, share, type Cell } from "./disclosure.js";

/** A SQL condition with ? placeholders, then its values. */
type Condition = [sql: string, ...params: string[]];

function and(conditions: readonly Condition[]): { sql: string; params: string[] } {
  return { sql: conditions.map(([sql]) => sql).join(" AND "), params: conditions.flatMap(([, ...params]) => params) };
}

export interface InsightFilter {
  /** Postcode districts the caller may see; empty = all. */
  readonly allowedAreas: readonly string[];
  readonly area?: string;
  /** ISO dates (inclusive from, exclusive to). */
  readonly from?: string;
  readonly to?: string;
  readonly channel?: string;
  readonly ageBand?: string;
}

export interface ThemeRow {
  readonly theme: string;
  readonly count: number | null;
  readonly share: number | null;
  readonly suppressed: boolean;
}

export interface ThemeTable {
  readonly respondents: Cell;
  readonly rows: readonly ThemeRow[];
  readonly threshold: number;
}

export interface TrendPoint {
  readonly week: string;
  readonly count: number | null;
  readonly suppressed: boolean;
}

export interface Quote {
  readonly text: string;
  readonly area: string | null;
  /** Month only, never the time: "2026-11". */
  readonly month: string;
}

type Narrowing = "area" | "from" | "to" | "channel" | "ageBand";
const NARROWINGS: readonly Narrowing[] = ["area", "from", "to", "channel", "ageBand"];

export class InsightQueries {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly k: number,
    private readonly respondentKey = RESPONDENT_KEY,
  ) {}

  /**
   * WHERE conditions over the running totals for a filter (dates apply to whole ISO weeks), as
   * SQL with ? placeholders and their values: plain SQL text works with both Prisma clients
   * (Node and Worker), whose SQL template helpers are not interchangeable.
   */
  private conditions(f: InsightFilter): Condition[] {
    const areas = f.area ? [f.area] : f.allowedAreas;
    const where: Condition[] = [];
    if (areas.length > 0) where.push([`"area" IN (${areas.map(() => "?").join(", ")})`, ...areas]);
    if (f.channel) where.push([`"channel" = ?`, f.channel]);
    if (f.ageBand) where.push([`"age_band" = ?`, f.ageBand]);
    if (f.from) where.push([`"week" >= ?`, firstWeekFrom(f.from)]);
    if (f.to) where.push([`"week" < ?`, firstWeekFrom(f.to)]);
    return where;
  }

  /** Residents covered: one answer to the respondent question each. */
  private async population(f: InsightFilter): Promise<number> {
    const where = and([[`"question_key" = ?`, this.respondentKey], ...this.conditions(f)]);
    const rows = await this.prisma.$queryRawUnsafe<{ n: bigint | number | null }[]>(`SELECT SUM("count") AS n FROM "respondent_counts" WHERE ${where.sql}`, ...where.params);
    return Number(rows[0]?.n ?? 0);
  }

  private async countsBy(f: InsightFilter, source: "choice" | "text", by: "theme" | "week" | "area", theme?: string): Promise<Map<string, number>> {
    const conditions: Condition[] = [[`"source" = ?`, source], ...this.conditions(f)];
    if (theme) conditions.push([`"theme" = ?`, theme]);
    const where = and(conditions);
    // `by` is one of three column names, never user input.
    const rows = await this.prisma.$queryRawUnsafe<{ key: string; n: bigint | number }[]>(`SELECT "${by}" AS key, SUM("count") AS n FROM "theme_counts" WHERE ${where.sql} GROUP BY "${by}"`, ...where.params);
    return new Map(rows.filter((r) => Number(r.n) > 0).map((r) => [r.key, Number(r.n)]));
  }

  /** The same filter with each narrowing removed in turn (area widens to the caller's areas). */
  private parents(f: InsightFilter): InsightFilter[] {
    return NARROWINGS.filter((n) => f[n] !== undefined).map((n) => {
      const { [n]: _removed, ...rest } = f;
      return rest as InsightFilter;
    });
  }

  /** Residents per theme (chosen priorities, or themes found in free text). */
  async themeTable(f: InsightFilter, source: "choice" | "text", themes: readonly string[]): Promise<ThemeTable> {
    const parentsFilters = this.parents(f);
    const [counts, population, parentCounts, parentPopulations] = await Promise.all([
      this.countsBy(f, source, "theme"),
      this.population(f),
      Promise.all(parentsFilters.map((p) => this.countsBy(p, source, "theme"))),
      Promise.all(parentsFilters.map((p) => this.population(p))),
    ]);
    const respondents = protectCell(population, parentPopulations, population, this.k);
    const rows = themes.map((theme) => {
      // A table whose population cannot be published publishes nothing: a cell equal to it would.
      if (respondents.suppressed) return { theme, count: null, share: null, suppressed: true };
      // The residents who did NOT pick a theme are a group too: the population is a parent.
      const cell = protectCell(counts.get(theme) ?? 0, [population, ...parentCounts.map((m) => m.get(theme) ?? 0)], population, this.k);
      return { theme, count: cell.count, share: share(cell, respondents), suppressed: cell.suppressed };
    });
    return { respondents, rows, threshold: this.k };
  }

  /** Residents per ISO week for one theme. No total is given: it would un-suppress weeks. */
  async trend(f: InsightFilter, source: "choice" | "text", theme: string): Promise<TrendPoint[]> {
    const parentsFilters = this.parents(f).filter((p) => p.from === f.from && p.to === f.to);
    const [counts, ...parentCounts] = await Promise.all([this.countsBy(f, source, "week", theme), ...parentsFilters.map((p) => this.countsBy(p, source, "week", theme))]);
    return [...counts.keys()].sort().map((week) => {
      const cell = protectCell(counts.get(week) ?? 0, parentCounts.map((m) => m.get(week) ?? 0), Number.MAX_SAFE_INTEGER, this.k);
      return { week, count: cell.count, suppressed: cell.suppressed };
    });
  }

  /** Redacted quotes about a theme, only from areas where both the residents and the theme clear K. */
  async quotes(f: InsightFilter, theme: string, limit = 20): Promise<Quote[]> {
    const byArea = await this.countsBy(f, "text", "area", theme);
    const quotable: string[] = [];
    for (const [area, n] of byArea) {
      if (area === "" || n < this.k) continue;
      if ((await this.population({ ...f, area })) >= this.k) quotable.push(area);
    }
    if (quotable.length === 0) return [];
    const rows = await this.prisma.answer.findMany({
      where: {
        redacted: { not: null },
        area: { in: quotable },
        ...(f.channel ? { channel: f.channel } : {}),
        ...(f.ageBand ? { ageBand: f.ageBand } : {}),
        themeFacts: { some: { theme, source: "text" } },
      },
      select: { redacted: true, area: true, createdAt: true },
      orderBy: { createdAt: "desc" },
      take: limit,
    });
    return rows.map((r) => ({ text: r.redacted!, area: r.area, month: r.createdAt.toISOString().slice(0, 7) }));
  }
}

/** The first ISO week starting on or after a date: date filters take whole weeks. */
export function firstWeekFrom(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  const day = d.getUTCDay() || 7;
  const monday = day === 1 ? d : new Date(d.getTime() + (8 - day) * 86_400_000);
  return isoWeek(monday);
}

