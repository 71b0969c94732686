// Reach: who PlaceVoice has heard from, against the population baseline the operator imported
// (population.ts). Every count here is a published count, read through the same gate as every
// other number (themeTable's protected cells, or protectCell for champions' residents); rates,
// mixes and weights are arithmetic on published counts and on the public baseline only, so they
// say nothing the published counts do not. docs/insight-and-disclosure.md#reach says what each
// figure means.
import type { PrismaClient } from "../generated/prisma/client.js";
import { THEMES } from "../directory/themes.js";
import { RESPONDENT_KEY } from "../store/rollups.js";
import { protectCell, type Cell, type Tally } from "./disclosure.js";
import type { Period } from "./periods.js";
import { AGE_BANDS, type AreaBaseline, PopulationBaselines } from "./population.js";
import { toCsv } from "./csv.js";
import { type InsightFilter, type InsightQueries, type ThemeTable } from "./queries.js";

export interface BandReach {
  readonly band: string;
  readonly label: string;
  /** Residents in the band, from the baseline; null without one. */
  readonly population: number | null;
  /** Respondents who gave this age band (published). */
  readonly heard: Cell;
  /** heard per 1,000 of the band's population, one decimal; null when either is missing. */
  readonly per1000: number | null;
  /** Percent of the respondents who gave an age band, when every band is published; else null. */
  readonly respondentShare: number | null;
  /** Percent of the area's population, from the baseline. */
  readonly populationShare: number | null;
}

export interface WeightedRow {
  readonly theme: string;
  /** Share of all respondents in the area (the default, unweighted figure). */
  readonly share: number | null;
  /** Share re-weighted to the area's age profile, whole percent; null when a cell it needs is withheld. */
  readonly weightedShare: number | null;
}

export interface WeightedPriorities {
  /** Shown only when every weighting cell (respondents per age band) clears the threshold. */
  readonly shown: boolean;
  /** Why not, in words, when not shown. */
  readonly reason: string | null;
  /** Respondents who gave an age band: the sum of the published band counts. */
  readonly base: number | null;
  /** Kish's effective sample size, 1 / Σ (population share² / respondents) over the bands. */
  readonly effectiveSampleSize: number | null;
  readonly rows: readonly WeightedRow[];
}

export interface AreaReach {
  readonly area: string;
  readonly baseline: { readonly population: number; readonly source: string; readonly year: number } | null;
  /** Residents who answered the priorities question (published). */
  readonly heard: Cell;
  readonly per1000: number | null;
  readonly bands: readonly BandReach[];
  /** Residents among `heard` who came through a champion's code (published, k-safe against the rest). */
  readonly throughChampions: Cell;
  readonly weighted: WeightedPriorities;
}

export interface HeardLeast {
  readonly area: string;
  /** Absent for a whole area. */
  readonly band?: string;
  readonly label: string;
  readonly heard: Cell;
  readonly per1000: number | null;
}

export interface ReachReport {
  readonly period: Period;
  readonly threshold: number;
  readonly areas: readonly AreaReach[];
  /** Areas with a baseline, heard least first. */
  readonly areasHeardLeast: readonly HeardLeast[];
  /** Age groups of areas with a baseline, heard least first (the first five). */
  readonly groupsHeardLeast: readonly HeardLeast[];
}

export const WEIGHTING_CAVEAT =
  "Weighted shares estimate what the area would have said if the residents who answered had the same age mix as the people who live there. They use only the residents who gave their age group, assume that within an age group those who answered think like those who did not, and cannot correct for anyone the survey never reached. The effective sample size says how many residents' worth of certainty is left after weighting: read small ones with care. The unweighted figures remain the main result.";

const NONE: Tally = { count: 0, keySum: 0 };
const rate = (count: number | null, population: number | null | undefined) =>
  count === null || !population ? null : Math.round((count / population) * 10_000) / 10;
const percent = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 100) : null);

/** Post-stratification on age band from published counts: each band's theme share, weighted by its population share. */
export function weightPriorities(
  overall: ThemeTable,
  byBand: readonly ThemeTable[],
  baseline: AreaBaseline | null,
  threshold: number,
): WeightedPriorities {
  const unweighted = overall.rows.map((r) => ({ theme: r.theme, share: r.share, weightedShare: null }));
  const notShown = (reason: string): WeightedPriorities => ({
    shown: false,
    reason,
    base: null,
    effectiveSampleSize: null,
    rows: unweighted,
  });
  if (!baseline || baseline.total === 0) return notShown("No population baseline for this area.");
  const counts = byBand.map((t) => t.respondents.count);
  if (counts.some((n) => n === null || n === 0))
    return notShown(
      `Not shown: weighting needs ${threshold} or more residents who answered in every age group, and at least one group has fewer.`,
    );
  const n = counts as number[];
  const weights = AGE_BANDS.map(([band]) => (baseline.byBand.get(band) ?? 0) / baseline.total);
  const effective = Math.floor(1 / weights.reduce((sum, p, b) => sum + (p * p) / n[b]!, 0));
  return {
    shown: true,
    reason: null,
    base: n.reduce((a, b) => a + b, 0),
    effectiveSampleSize: effective,
    rows: overall.rows.map((r) => {
      const cells = byBand.map((t) => t.rows.find((x) => x.theme === r.theme)?.count ?? null);
      const weighted = cells.some((c) => c === null)
        ? null
        : Math.round(weights.reduce((sum, p, b) => sum + (p * cells[b]!) / n[b]!, 0) * 100);
      return { theme: r.theme, share: r.share, weightedShare: weighted === null ? null : Math.min(100, weighted) };
    }),
  };
}

export class ReachQueries {
  private readonly baselines: PopulationBaselines;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly queries: InsightQueries,
    private readonly k: number,
  ) {
    this.baselines = new PopulationBaselines(prisma);
  }

  /** The areas a report covers: the one asked for, the partner's, or every area with a baseline or an answer. */
  private async areasOf(f: InsightFilter): Promise<string[]> {
    if (f.area) return [f.area];
    if (f.allowedAreas.length > 0) return [...f.allowedAreas];
    const [baselines, answered] = await Promise.all([
      this.baselines.of([]),
      this.prisma.respondentCount.findMany({
        where: { questionKey: RESPONDENT_KEY, area: { not: "" }, count: { gt: 0 } },
        distinct: ["area"],
        select: { area: true },
      }),
    ]);
    return [...new Set([...baselines.keys(), ...answered.map((r) => r.area)])].sort((a, b) =>
      a.localeCompare(b, "en", { numeric: true }),
    );
  }

  /** Residents who answered in each area and came through a champion's code (running totals): true tallies by area. */
  private async championTallies(areas: readonly string[], period: Period | undefined): Promise<Map<string, Tally>> {
    if (areas.length === 0) return new Map();
    const rows = await this.prisma.championCount.groupBy({
      by: ["area"],
      where: {
        area: { in: [...areas] },
        ...(period?.weeks ? { week: { gte: period.weeks.first, lte: period.weeks.last } } : {}),
      },
      _sum: { count: true, keySum: true },
    });
    return new Map(rows.map((r) => [r.area, { count: r._sum.count ?? 0, keySum: r._sum.keySum ?? 0 }]));
  }

  /**
   * Areas with a baseline, heard least first over `period` (residents heard per 1,000, from
   * published counts; a withheld count ranks lowest): the areas that most need voices.
   */
  async leastHeardAreas(period: Period, limit: number): Promise<string[]> {
    const baselines = [...(await this.baselines.of([])).values()].filter((b) => b.total > 0);
    // Each area's published count of residents, as its own table gives it, from one grouped read.
    const tables = await this.queries.areaBandTables(
      { allowedAreas: [], ...(period.kind === "all" ? {} : { period }) },
      baselines.map((b) => b.area),
      [],
      "choice",
      [],
    );
    const rated = baselines.map((b) => ({
      area: b.area,
      per1000: rate(tables.get(b.area)!.overall.respondents.count, b.total),
    }));
    return rated
      .sort((a, b) => (a.per1000 ?? -1) - (b.per1000 ?? -1) || a.area.localeCompare(b.area))
      .slice(0, limit)
      .map((r) => r.area);
  }

  /** Reach per area over `period` (absent: all time), for a partner limited to `filter.allowedAreas`. */
  async report(filter: InsightFilter, period: Period): Promise<ReachReport> {
    const f: InsightFilter = { allowedAreas: filter.allowedAreas, ...(filter.area ? { area: filter.area } : {}) };
    const scoped = period.kind === "all" ? f : { ...f, period };
    const areas = await this.areasOf(f);
    const [baselines, champions, championsAllTime] = await Promise.all([
      this.baselines.of(areas),
      this.championTallies(areas, period.kind === "all" ? undefined : period),
      period.kind === "all" ? Promise.resolve(null) : this.championTallies(areas, undefined),
    ]);
    const tables = await this.queries.areaBandTables(
      scoped,
      areas,
      AGE_BANDS.map(([band]) => band),
      "choice",
      THEMES,
    );
    const reports: AreaReach[] = [];
    for (const area of areas) {
      const { overall, byBand, population: residents } = tables.get(area)!;
      const baseline = baselines.get(area) ?? null;
      const bandCounts = byBand.map((t) => t.respondents.count);
      const allBands = bandCounts.every((n) => n !== null);
      const banded = allBands ? (bandCounts as number[]).reduce((a, b) => a + b, 0) : 0;
      // Champions' residents against the area's: the residents who did not come through a code are a group too.
      const mine = champions.get(area) ?? NONE;
      const parents = [residents.count, ...(championsAllTime ? [championsAllTime.get(area)?.count ?? 0] : [])];
      reports.push({
        area,
        baseline: baseline ? { population: baseline.total, source: baseline.source, year: baseline.year } : null,
        heard: overall.respondents,
        per1000: rate(overall.respondents.count, baseline?.total),
        bands: AGE_BANDS.map(([band, label], i) => {
          const population = baseline?.byBand.get(band) ?? null;
          return {
            band,
            label,
            population,
            heard: byBand[i]!.respondents,
            per1000: rate(bandCounts[i]!, population),
            respondentShare: allBands ? percent(bandCounts[i]!, banded) : null,
            populationShare: baseline && population !== null ? percent(population, baseline.total) : null,
          };
        }),
        throughChampions: protectCell(mine, parents, residents.count, this.k),
        weighted: weightPriorities(overall, byBand, baseline, this.k),
      });
    }
    // Heard least: lowest rate first; a withheld count is fewer than K, so it ranks below any shown rate.
    const least = (items: HeardLeast[]) =>
      items.sort((a, b) => (a.per1000 ?? -1) - (b.per1000 ?? -1) || a.area.localeCompare(b.area));
    const withBaseline = reports.filter((r) => r.baseline && r.baseline.population > 0);
    return {
      period,
      threshold: this.k,
      areas: reports,
      areasHeardLeast: least(
        withBaseline.map((r) => ({ area: r.area, label: r.area, heard: r.heard, per1000: r.per1000 })),
      ),
      groupsHeardLeast: least(
        withBaseline.flatMap((r) =>
          r.bands
            .filter((b) => (b.population ?? 0) > 0)
            .map((b) => ({
              area: r.area,
              band: b.band,
              label: `${r.area}, ${b.label}`,
              heard: b.heard,
              per1000: b.per1000,
            })),
        ),
      ).slice(0, 5),
    };
  }
}

/** Reach as CSV: one row per area and per age band within it, each carrying its period, base and source. */
export function reachCsv(report: ReachReport): string {
  const fewer = `fewer than ${report.threshold}`;
  const shown = (cell: Cell) => cell.count ?? fewer;
  const rows: (string | number | null)[][] = [
    [
      "area",
      "age_band",
      "population",
      "residents_heard",
      "heard_per_1000",
      "share_of_respondents_pct",
      "share_of_population_pct",
      "through_champions",
      "period_from",
      "period_to",
      "baseline_source",
      "baseline_year",
    ],
  ];
  for (const a of report.areas) {
    const tail = [report.period.from, report.period.to, a.baseline?.source ?? "", a.baseline?.year ?? ""];
    rows.push([
      a.area,
      "all",
      a.baseline?.population ?? "",
      shown(a.heard),
      a.per1000,
      "",
      "",
      shown(a.throughChampions),
      ...tail,
    ]);
    for (const b of a.bands)
      rows.push([
        a.area,
        b.band,
        b.population ?? "",
        shown(b.heard),
        b.per1000,
        b.respondentShare,
        b.populationShare,
        "",
        ...tail,
      ]);
  }
  return toCsv(rows);
}

/** Weighted priorities as CSV: only areas where the weighting is shown; every row says its base and effective sample. */
export function weightedCsv(report: ReachReport, themeLabel: (id: string) => string): string {
  const rows: (string | number | null)[][] = [
    [
      "area",
      "theme",
      "label",
      "share_pct",
      "weighted_share_pct",
      "respondents_with_age",
      "effective_sample_size",
      "period_from",
      "period_to",
      "baseline_source",
      "baseline_year",
    ],
  ];
  for (const a of report.areas) {
    if (!a.weighted.shown) continue;
    for (const r of a.weighted.rows)
      rows.push([
        a.area,
        r.theme,
        themeLabel(r.theme),
        r.share,
        r.weightedShare,
        a.weighted.base,
        a.weighted.effectiveSampleSize,
        report.period.from,
        report.period.to,
        a.baseline?.source ?? "",
        a.baseline?.year ?? "",
      ]);
  }
  return toCsv(rows);
}
