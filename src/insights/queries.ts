// Aggregates over theme facts, with disclosure control applied before anything is returned.
// This is the only road from residents' answers to partners (DESIGN.md).
import type { PrismaClient } from "../generated/prisma/client.js";
import { protectCell, share, type Cell } from "./disclosure.js";

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
    private readonly respondentKey = "priorities",
  ) {}

  private factWhere(f: InsightFilter, source: "choice" | "text") {
    const areas = f.area ? [f.area] : f.allowedAreas;
    return {
      source,
      ...(areas.length > 0 ? { area: { in: [...areas] } } : {}),
      ...(f.channel ? { channel: f.channel } : {}),
      ...(f.ageBand ? { ageBand: f.ageBand } : {}),
      ...(f.from || f.to ? { createdAt: { ...(f.from ? { gte: new Date(f.from) } : {}), ...(f.to ? { lt: new Date(f.to) } : {}) } } : {}),
    };
  }

  /** Residents covered: one answer to the respondent question each. */
  private async population(f: InsightFilter): Promise<number> {
    const areas = f.area ? [f.area] : f.allowedAreas;
    return this.prisma.answer.count({
      where: {
        questionKey: this.respondentKey,
        NOT: { value: "null" },
        ...(areas.length > 0 ? { area: { in: [...areas] } } : {}),
        ...(f.channel ? { channel: f.channel } : {}),
        ...(f.ageBand ? { ageBand: f.ageBand } : {}),
        ...(f.from || f.to ? { createdAt: { ...(f.from ? { gte: new Date(f.from) } : {}), ...(f.to ? { lt: new Date(f.to) } : {}) } } : {}),
      },
    });
  }

  private async countsByTheme(f: InsightFilter, source: "choice" | "text"): Promise<Map<string, number>> {
    const groups = await this.prisma.themeFact.groupBy({ by: ["theme"], where: this.factWhere(f, source), _count: { _all: true } });
    return new Map(groups.map((g) => [g.theme, g._count._all]));
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
    const [counts, population, parentCounts] = await Promise.all([
      this.countsByTheme(f, source),
      this.population(f),
      Promise.all(parentsFilters.map((p) => this.countsByTheme(p, source))),
    ]);
    const parentPopulations = await Promise.all(parentsFilters.map((p) => this.population(p)));
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
    const weekly = async (filter: InsightFilter) => {
      const groups = await this.prisma.themeFact.groupBy({ by: ["week"], where: { ...this.factWhere(filter, source), theme }, _count: { _all: true } });
      return new Map(groups.map((g) => [g.week, g._count._all]));
    };
    const parentsFilters = this.parents(f).filter((p) => p.from === f.from && p.to === f.to);
    const [counts, ...parentCounts] = await Promise.all([weekly(f), ...parentsFilters.map(weekly)]);
    return [...counts.keys()].sort().map((week) => {
      const cell = protectCell(counts.get(week) ?? 0, parentCounts.map((m) => m.get(week) ?? 0), Number.MAX_SAFE_INTEGER, this.k);
      return { week, count: cell.count, suppressed: cell.suppressed };
    });
  }

  /** Redacted quotes about a theme, only from areas where both the residents and the theme clear K. */
  async quotes(f: InsightFilter, theme: string, limit = 20): Promise<Quote[]> {
    const facts = await this.prisma.themeFact.groupBy({ by: ["area"], where: { ...this.factWhere(f, "text"), theme }, _count: { _all: true } });
    const quotable: string[] = [];
    for (const g of facts) {
      if (g.area === null || g._count._all < this.k) continue;
      if ((await this.population({ ...f, area: g.area })) >= this.k) quotable.push(g.area);
    }
    if (quotable.length === 0) return [];
    const rows = await this.prisma.answer.findMany({
      where: { redacted: { not: null }, area: { in: quotable }, themeFacts: { some: { ...this.factWhere(withAreas(f, quotable), "text"), theme } } },
      select: { redacted: true, area: true, createdAt: true },
      orderBy: { createdAt: "desc" },
      take: limit,
    });
    return rows.map((r) => ({ text: r.redacted!, area: r.area, month: r.createdAt.toISOString().slice(0, 7) }));
  }
}

/** The same filter over these areas instead of one. */
function withAreas(f: InsightFilter, areas: readonly string[]): InsightFilter {
  const { area: _area, ...rest } = f;
  return { ...rest, allowedAreas: areas };
}
