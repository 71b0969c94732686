// Aggregates over theme facts, with disclosure control applied before anything is returned.
// This is the only road from residents' answers to partners (DESIGN.md).
import type { PrismaClient } from "../generated/prisma/client.js";
import { THEMES } from "../directory/themes.js";
import { OFFER_KINDS } from "../directory/volunteering.js";
import { OFFERS_KEY, RESPONDENT_KEY } from "../store/rollups.js";
import { weekStart } from "../store/week.js";
import { protectCell, share, type Cell, type Tally } from "./disclosure.js";
import {
  allTimePeriod,
  blockIndexOf,
  blockPeriod,
  blocksOf,
  yearPeriod,
  type Period,
  type PeriodRequest,
} from "./periods.js";

/** A SQL condition with ? placeholders, then its values. */
type Condition = [sql: string, ...params: string[]];

function and(conditions: readonly Condition[]): { sql: string; params: string[] } {
  return { sql: conditions.map(([sql]) => sql).join(" AND "), params: conditions.flatMap(([, ...params]) => params) };
}

export interface InsightFilter {
  /** Postcode districts the caller may see; empty = all. */
  readonly allowedAreas: readonly string[];
  readonly area?: string;
  /** One of the published periods (periods.ts); absent: all time. */
  readonly period?: Period;
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
  /** Nobody answered at all under this filter: said plainly, not as a withheld small number. */
  readonly noResponses: boolean;
  readonly rows: readonly ThemeRow[];
  readonly threshold: number;
}

export interface TrendPoint {
  /** The four-week block: its id (first day) and the days counted. */
  readonly period: Pick<Period, "id" | "from" | "to">;
  readonly count: number | null;
  readonly suppressed: boolean;
}

export interface Quote {
  readonly text: string;
  readonly area: string | null;
  /** Month only, never the time: "2026-11". */
  readonly month: string;
}

/** One area's line in a comparison of areas for one theme: the same numbers its own table publishes. */
export interface AreaComparisonRow {
  readonly area: string;
  /** Residents who answered there (the base of the share). */
  readonly respondents: Cell;
  readonly noResponses: boolean;
  /** Residents there who chose (or wrote about) the theme. */
  readonly count: number | null;
  readonly share: number | null;
}

/** What a running total counts: chosen priorities, themes found in free text, or what residents could offer. */
export type CountSource = "choice" | "text" | "offer";

/** Postcode districts in code order as people read them: ST2 before ST10. */
export const byDistrict = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

/** An answer's created_at within a period's days (Prisma filter). */
export function createdWithin(period: Period): { gte: Date; lt: Date } {
  return {
    gte: new Date(`${period.from}T00:00:00Z`),
    lt: new Date(new Date(`${period.to}T00:00:00Z`).getTime() + 86_400_000),
  };
}

type Narrowing = "area" | "period" | "channel" | "ageBand";
const NARROWINGS: readonly Narrowing[] = ["area", "period", "channel", "ageBand"];
const NONE: Tally = { count: 0, keySum: 0 };
const add = (a: Tally, b: Tally): Tally => ({ count: a.count + b.count, keySum: a.keySum + b.keySum });

export class InsightQueries {
  private readonly respondentKey: string;
  private readonly onSuppressed: (cells: number) => void;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly k: number,
    options: {
      readonly respondentKey?: string;
      /** Told how many numbers the gate withheld from each table or trend it built (for /metrics). */
      readonly onSuppressed?: (cells: number) => void;
    } = {},
  ) {
    this.respondentKey = options.respondentKey ?? RESPONDENT_KEY;
    this.onSuppressed = options.onSuppressed ?? (() => undefined);
  }

  /** A period a client asked for, with its exact days; all time starts the week anyone first answered. */
  async resolvePeriod(request: PeriodRequest, today: Date): Promise<Period> {
    if (request.kind === "block") return blockPeriod(request.index, today);
    if (request.kind === "year") return yearPeriod(today);
    const rows = await this.prisma.$queryRawUnsafe<{ w: string | null }[]>(
      `SELECT MIN("week") AS w FROM "respondent_counts"`,
    );
    return allTimePeriod(today, rows[0]?.w ? weekStart(rows[0].w) : undefined);
  }

  /**
   * WHERE conditions over the running totals for a filter (a period is whole ISO weeks), as
   * SQL with ? placeholders and their values: plain SQL text works with both Prisma clients
   * (Node and Worker), whose SQL template helpers are not interchangeable.
   */
  private conditions(f: InsightFilter): Condition[] {
    const areas = f.area ? [f.area] : f.allowedAreas;
    const where: Condition[] = [];
    if (areas.length > 0) where.push([`"area" IN (${areas.map(() => "?").join(", ")})`, ...areas]);
    if (f.channel) where.push([`"channel" = ?`, f.channel]);
    if (f.ageBand) where.push([`"age_band" = ?`, f.ageBand]);
    if (f.period?.weeks) where.push([`"week" >= ? AND "week" <= ?`, f.period.weeks.first, f.period.weeks.last]);
    return where;
  }

  /** Residents covered (one answer to the respondent question each), with their key sum: a true count, never to publish as it is. */
  async population(f: InsightFilter): Promise<Tally> {
    const where = and([[`"question_key" = ?`, this.respondentKey], ...this.conditions(f)]);
    const rows = await this.prisma.$queryRawUnsafe<{ n: bigint | number | null; ks: bigint | number | null }[]>(
      `SELECT SUM("count") AS n, SUM("key_sum") AS ks FROM "respondent_counts" WHERE ${where.sql}`,
      ...where.params,
    );
    return { count: Number(rows[0]?.n ?? 0), keySum: Number(rows[0]?.ks ?? 0) };
  }

  private async countsBy(
    f: InsightFilter,
    source: CountSource,
    by: "theme" | "week" | "area",
    theme?: string,
  ): Promise<Map<string, Tally>> {
    const conditions: Condition[] = [[`"source" = ?`, source], ...this.conditions(f)];
    if (theme) conditions.push([`"theme" = ?`, theme]);
    const where = and(conditions);
    // `by` is one of three column names, never user input.
    const rows = await this.prisma.$queryRawUnsafe<{ key: string; n: bigint | number; ks: bigint | number }[]>(
      `SELECT "${by}" AS key, SUM("count") AS n, SUM("key_sum") AS ks FROM "theme_counts" WHERE ${where.sql} GROUP BY "${by}"`,
      ...where.params,
    );
    return new Map(
      rows.filter((r) => Number(r.n) > 0).map((r) => [r.key, { count: Number(r.n), keySum: Number(r.ks) }]),
    );
  }

  /** The same filter with each narrowing removed in turn (area widens to the caller's areas, a period to all time). */
  private parents(f: InsightFilter): InsightFilter[] {
    return NARROWINGS.filter((n) => f[n] !== undefined).map((n) => {
      const { [n]: _removed, ...rest } = f;
      return rest as InsightFilter;
    });
  }

  /** Residents per theme (chosen priorities, or themes found in free text). */
  async themeTable(f: InsightFilter, source: CountSource, themes: readonly string[]): Promise<ThemeTable> {
    const parentsFilters = this.parents(f);
    const [counts, population, parentCounts, parentPopulations] = await Promise.all([
      this.countsBy(f, source, "theme"),
      this.population(f),
      Promise.all(parentsFilters.map((p) => this.countsBy(p, source, "theme"))),
      Promise.all(parentsFilters.map((p) => this.population(p))),
    ]);
    return this.protectTable(population, counts, parentPopulations, parentCounts, themes);
  }

  /**
   * The theme table of each area in `areas`, and of each age band within it, over `base`'s
   * period for a caller limited to `base.allowedAreas`: each exactly the table themeTable
   * publishes for that filter (the same cells, parents and gate), read from the running totals
   * grouped by area and age band in four queries instead of one set per table.
   */
  async areaBandTables(
    base: Pick<InsightFilter, "allowedAreas" | "period">,
    areas: readonly string[],
    bands: readonly string[],
    source: "choice" | "text",
    themes: readonly string[],
  ): Promise<Map<string, { population: Tally; overall: ThemeTable; byBand: ThemeTable[] }>> {
    const scope: InsightFilter = { allowedAreas: base.allowedAreas, ...(base.period ? { period: base.period } : {}) };
    const [inPeriod, allTime] = await Promise.all([
      this.grid(scope, source),
      base.period ? this.grid({ allowedAreas: base.allowedAreas }, source) : undefined,
    ]);
    const ANY = "*";
    const out = new Map<string, { population: Tally; overall: ThemeTable; byBand: ThemeTable[] }>();
    for (const area of areas) {
      // Parents in themeTable's order (area, period, channel, age band), each narrowing removed in turn.
      const tableOf = (band: string) => {
        const parents = [
          [ANY, band],
          ...(allTime ? [[area, band, "all"]] : []),
          ...(band === ANY ? [] : [[area, ANY]]),
        ];
        const pick = ([a, b, all]: string[]) => (all ? allTime! : inPeriod).at(a!, b!);
        const mine = inPeriod.at(area, band);
        const ps = parents.map(pick);
        return this.protectTable(
          mine.population,
          mine.counts,
          ps.map((p) => p.population),
          ps.map((p) => p.counts),
          themes,
        );
      };
      out.set(area, {
        population: inPeriod.at(area, ANY).population,
        overall: tableOf(ANY),
        byBand: bands.map(tableOf),
      });
    }
    return out;
  }

  /**
   * Respondents and theme counts under `f`, summed by area and age band, with "*" for any
   * area (within the caller's) or any band: `at(area, band)` answers what population() and
   * countsBy(…, "theme") would for that narrowing of `f`.
   */
  private async grid(
    f: InsightFilter,
    source: "choice" | "text",
  ): Promise<{ at(area: string, band: string): { population: Tally; counts: Map<string, Tally> } }> {
    const respondentWhere = and([[`"question_key" = ?`, this.respondentKey], ...this.conditions(f)]);
    const themeWhere = and([[`"source" = ?`, source], ...this.conditions(f)]);
    type Row = { area: string; band: string; n: bigint | number; ks: bigint | number };
    const [respondentRows, themeRows] = await Promise.all([
      this.prisma.$queryRawUnsafe<Row[]>(
        `SELECT "area" AS area, "age_band" AS band, SUM("count") AS n, SUM("key_sum") AS ks FROM "respondent_counts" WHERE ${respondentWhere.sql} GROUP BY "area", "age_band"`,
        ...respondentWhere.params,
      ),
      this.prisma.$queryRawUnsafe<(Row & { theme: string })[]>(
        `SELECT "area" AS area, "age_band" AS band, "theme" AS theme, SUM("count") AS n, SUM("key_sum") AS ks FROM "theme_counts" WHERE ${themeWhere.sql} GROUP BY "area", "age_band", "theme"`,
        ...themeWhere.params,
      ),
    ]);
    const keys = (r: Row) => [`${r.area}|${r.band}`, `${r.area}|*`, `*|${r.band}`, "*|*"];
    const tally = (r: Row): Tally => ({ count: Number(r.n), keySum: Number(r.ks) });
    const populations = new Map<string, Tally>();
    for (const r of respondentRows)
      for (const key of keys(r)) populations.set(key, add(populations.get(key) ?? NONE, tally(r)));
    const counts = new Map<string, Map<string, Tally>>();
    for (const r of themeRows)
      for (const key of keys(r)) {
        const byTheme = counts.get(key) ?? new Map<string, Tally>();
        byTheme.set(r.theme, add(byTheme.get(r.theme) ?? NONE, tally(r)));
        counts.set(key, byTheme);
      }
    return {
      at: (area, band) => ({
        population: populations.get(`${area}|${band}`) ?? NONE,
        // As countsBy: a theme whose total is not above zero is no row at all.
        counts: new Map([...(counts.get(`${area}|${band}`) ?? [])].filter(([, t]) => t.count > 0)),
      }),
    };
  }

  /** A theme table from its cells and its parents' (same order), through the disclosure gate. */
  private protectTable(
    population: Tally,
    counts: Map<string, Tally>,
    parentPopulations: readonly Tally[],
    parentCounts: readonly Map<string, Tally>[],
    themes: readonly string[],
  ): ThemeTable {
    const respondents = protectCell(
      population,
      parentPopulations.map((p) => p.count),
      population.count,
      this.k,
    );
    const rows = themes.map((theme) => {
      // A table whose population cannot be published publishes nothing: a cell equal to it would.
      if (respondents.suppressed) return { theme, count: null, share: null, suppressed: true };
      // The residents who did NOT pick a theme are a group too: the population is a parent.
      const cell = protectCell(
        counts.get(theme) ?? NONE,
        [population.count, ...parentCounts.map((m) => m.get(theme)?.count ?? 0)],
        population.count,
        this.k,
      );
      return { theme, count: cell.count, share: share(cell, respondents), suppressed: cell.suppressed };
    });
    this.onSuppressed(rows.filter((r) => r.suppressed).length + (respondents.suppressed ? 1 : 0));
    return { respondents, noResponses: population.count === 0, rows, threshold: this.k };
  }

  /**
   * What residents could offer their area, by kind: residents who offered each kind out of the
   * residents who completed an offer (each once, their latest offer), through the same gate as
   * priorities: the same complements, thresholds and perturbation, the offerers as population.
   */
  async offerTable(f: InsightFilter): Promise<ThemeTable> {
    const offers =
      this.respondentKey === OFFERS_KEY
        ? this
        : new InsightQueries(this.prisma, this.k, { respondentKey: OFFERS_KEY, onSuppressed: this.onSuppressed });
    return offers.themeTable(f, "offer", OFFER_KINDS);
  }

  /** The table of a source: every theme (chosen, or found in their words), or every kind offered. */
  async table(f: InsightFilter, source: CountSource): Promise<ThemeTable> {
    return source === "offer" ? this.offerTable(f) : this.themeTable(f, source, THEMES);
  }

  /**
   * The districts anyone has answered in (within `allowedAreas` when it is not empty), in code
   * order: what a district picker offers. Says only that an area has answers, as the "no
   * responses yet" message does; no number.
   */
  async areasWithAnswers(allowedAreas: readonly string[]): Promise<string[]> {
    const where = and([
      [`"question_key" = ?`, this.respondentKey],
      [`"area" <> ''`],
      [`"count" > 0`],
      ...this.conditions({ allowedAreas }),
    ]);
    const rows = await this.prisma.$queryRawUnsafe<{ area: string }[]>(
      `SELECT DISTINCT "area" FROM "respondent_counts" WHERE ${where.sql}`,
      ...where.params,
    );
    return rows.map((r) => r.area).sort(byDistrict);
  }

  /**
   * Areas side by side for one theme: for each area, the residents who answered, how many chose
   * the theme and their share, each exactly as that area's own table publishes it (the same
   * query through the same gate), so a comparison adds nothing a partner could not already see.
   */
  async compareAreas(
    f: InsightFilter,
    source: "choice" | "text",
    theme: string,
    areas: readonly string[],
  ): Promise<AreaComparisonRow[]> {
    return Promise.all(
      areas.map(async (area) => {
        const table = await this.themeTable({ ...f, area }, source, [theme]);
        const row = table.rows[0]!;
        return {
          area,
          respondents: table.respondents,
          noResponses: table.noResponses,
          count: row.count,
          share: row.share,
        };
      }),
    );
  }

  /**
   * Residents per four-week block for one theme, every block of the period (none left out: a
   * block with no one reads as withheld, like a small one). No total is given: it would
   * un-suppress blocks. Each point is the number a query for that block alone publishes.
   */
  async trend(f: InsightFilter, source: "choice" | "text", theme: string, today: Date): Promise<TrendPoint[]> {
    const period = f.period ?? (await this.resolvePeriod({ kind: "all" }, today));
    const parentsFilters = this.parents(f).filter((p) => p.period === f.period);
    const [counts, ...parentCounts] = await Promise.all([
      this.countsBy(f, source, "week", theme),
      ...parentsFilters.map((p) => this.countsBy(p, source, "week", theme)),
    ]);
    const byBlock = (weeks: Map<string, Tally>) => {
      const blocks = new Map<number, Tally>();
      for (const [week, tally] of weeks) {
        const block = blockIndexOf(weekStart(week));
        blocks.set(block, add(blocks.get(block) ?? NONE, tally));
      }
      return blocks;
    };
    const mine = byBlock(counts);
    const parents = parentCounts.map(byBlock);
    const points = blocksOf(period, today).map((index) => {
      const block = blockPeriod(index, today);
      const cell = protectCell(
        mine.get(index) ?? NONE,
        parents.map((m) => m.get(index)?.count ?? 0),
        Number.MAX_SAFE_INTEGER,
        this.k,
      );
      return {
        period: { id: block.id, from: block.from, to: block.to },
        count: cell.count,
        suppressed: cell.suppressed,
      };
    });
    this.onSuppressed(points.filter((p) => p.suppressed).length);
    return points;
  }

  /** Redacted quotes about a theme, only from areas where both the residents and the theme clear K. */
  async quotes(f: InsightFilter, theme: string, limit = 20): Promise<Quote[]> {
    const byArea = await this.countsBy(f, "text", "area", theme);
    const quotable: string[] = [];
    for (const [area, n] of byArea) {
      if (area === "" || n.count < this.k) continue;
      if ((await this.population({ ...f, area })).count >= this.k) quotable.push(area);
    }
    if (quotable.length === 0) return [];
    const rows = await this.prisma.answer.findMany({
      where: {
        redacted: { not: null },
        area: { in: quotable },
        ...(f.channel ? { channel: f.channel } : {}),
        ...(f.ageBand ? { ageBand: f.ageBand } : {}),
        ...(f.period ? { createdAt: createdWithin(f.period) } : {}),
        themeFacts: { some: { theme, source: "text" } },
      },
      select: { redacted: true, area: true, createdAt: true },
      orderBy: { createdAt: "desc" },
      take: limit * 4,
    });
    // The same words from several residents are one quote.
    const seen = new Set<string>();
    const quotes: Quote[] = [];
    for (const r of rows) {
      const key = r
        .redacted!.toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, " ")
        .trim();
      if (seen.has(key)) continue;
      seen.add(key);
      quotes.push({ text: r.redacted!, area: r.area, month: r.createdAt.toISOString().slice(0, 7) });
      if (quotes.length === limit) break;
    }
    return quotes;
  }
}
