// The motivated intruder's differencing attack on /api/v1/insights/priorities, as one piece
// that runs against any app: the Node service through app.request() (test/insights/
// disclosure-attack.test.ts) and the Worker on D1 over HTTP (test/worker/worker.test.ts).
// A partner asks every question the API accepts over some periods (with and without each
// filter), then subtracts every published number from every published number that counts a
// superset of the same residents. For each small group (1-9 residents) some pair of queries
// isolates, the attacker's guess is the median of all the differences that isolate it.
import { blockStart } from "../../src/insights/periods.js";
import { RESPONDENT_KEY, respondentCountUpsert, themeCountUpsert } from "../../src/store/rollups.js";
import { isoWeek } from "../../src/store/week.js";

const DAY = 86_400_000;

export interface Resident {
  readonly id: number;
  readonly area: string;
  readonly band: string;
  readonly channel: string;
  readonly block: number;
  /** When they answered (ms): a day of their block, at 10:00 UTC. */
  readonly at: number;
  readonly picks: readonly string[];
}

export interface PopulationShape {
  readonly blocks: readonly number[];
  readonly areas: readonly string[];
  readonly bands: readonly string[];
  readonly channels: readonly string[];
  readonly themes: readonly string[];
  /**
   * The share of groups (block, area, age band, channel) left empty. A differencing attack
   * needs empty cells: two queries two filters apart isolate a small group only where the
   * cells between them hold nobody else (the complement rule checks one filter at a time).
   */
  readonly emptyShare: number;
}

/**
 * Groups of 0 to 25 residents per block, area, age band and channel (many small ones, and
 * `emptyShare` of them empty), each
 * resident picking every theme with probability 0.45 (at least one, at most the first three), on
 * a random day of the block.
 */
export function randomPopulation(random: () => number, shape: PopulationShape): Resident[] {
  const residents: Resident[] = [];
  for (const block of shape.blocks)
    for (const area of shape.areas)
      for (const band of shape.bands)
        for (const channel of shape.channels) {
          const size = random() < shape.emptyShare ? 0 : Math.floor(random() * 26);
          for (let i = 0; i < size; i++) {
            const picks = shape.themes.filter(() => random() < 0.45);
            if (picks.length === 0) picks.push(shape.themes[Math.floor(random() * shape.themes.length)]!);
            const at = blockStart(block) + Math.floor(random() * 27) * DAY + 10 * 3_600_000;
            // The shipped flow takes at most three picks (max_picks: 3).
            residents.push({ id: residents.length + 1, area, band, channel, block, at, picks: picks.slice(0, 3) });
          }
        }
  return residents;
}

/**
 * The running-total upserts the write path makes for these residents once they have answered
 * (priorities picked, age band given), each with its record key: the same statements
 * (src/store/rollups.ts) the step batch runs, so a test can seed a population's totals directly.
 */
export function runningTotalStatements(
  residents: readonly Resident[],
  recordKey: (r: Resident) => number,
  /** Whose totals: priorities chosen (the default), or offers (OFFERS_KEY, source "offer"). */
  totals: { readonly questionKey: string; readonly source: string } = { questionKey: RESPONDENT_KEY, source: "choice" },
): { sql: string; params: (string | number)[] }[] {
  return residents.flatMap((r) => {
    const where = { questionKey: totals.questionKey, area: r.area, week: isoWeek(new Date(r.at)), channel: r.channel };
    return [
      respondentCountUpsert({ ...where, ageBand: r.band }, 1, recordKey(r)),
      ...r.picks.map((theme) =>
        themeCountUpsert({ ...where, source: totals.source, theme, ageBand: r.band }, 1, recordKey(r)),
      ),
    ];
  });
}

export interface AttackQuery {
  /** The `period` sent: "all", "year" or a day of a block. */
  readonly period: string;
  /** The block asked for, when the period is one; the others cover every resident. */
  readonly block?: number;
  readonly area?: string;
  readonly channel?: string;
  readonly band?: string;
}

/** A block's period as a client asks for it: a day inside it. */
export const blockQuery = (block: number): AttackQuery => ({
  period: new Date(blockStart(block) + 3 * DAY).toISOString().slice(0, 10),
  block,
});

/** Every query over these periods, with and without each filter. */
export function attackQueries(
  periods: readonly AttackQuery[],
  filters: Pick<PopulationShape, "areas" | "channels" | "bands">,
): AttackQuery[] {
  const queries: AttackQuery[] = [];
  for (const p of periods)
    for (const area of [undefined, ...filters.areas])
      for (const channel of [undefined, ...filters.channels])
        for (const band of [undefined, ...filters.bands])
          queries.push({
            ...p,
            ...(area ? { area } : {}),
            ...(channel ? { channel } : {}),
            ...(band ? { band } : {}),
          });
  return queries;
}

/** The query string for /api/v1/insights/priorities. */
export const prioritiesSearch = (q: AttackQuery): string =>
  new URLSearchParams(
    Object.entries({ period: q.period, area: q.area, channel: q.channel, age_band: q.band }).filter(
      (e): e is [string, string] => e[1] !== undefined,
    ),
  ).toString();

export interface PrioritiesBody {
  readonly period: { readonly from: string; readonly to: string };
  readonly respondents: { readonly count: number | null };
  readonly rows: readonly { readonly theme: string; readonly count: number | null }[];
}

export interface AttackFigures {
  readonly residents: number;
  readonly queries: number;
  readonly publishedNumbers: number;
  /** Published numbers under K, with the query that gave each: none is the promise. */
  readonly underK: readonly string[];
  /** Queries whose period runs backwards (from after to). */
  readonly badPeriods: readonly string[];
  /** Groups of 1-9 residents some nested pair of published numbers isolates. */
  readonly isolatedGroups: number;
  /**
   * Of those, how many the median difference gives exactly. A four-week query space lets a
   * population isolate few groups (0 to 10 in these tests), so this share varies widely from one
   * random population to the next: each test attacks one seeded population.
   */
  readonly recoveredExactly: number;
  /** Mean |published - true| over published counts of 10 to 100 residents. */
  readonly meanAbsoluteAdjustment: number;
}

const covers = (q: AttackQuery, r: Resident) =>
  (q.block === undefined || r.block === q.block) &&
  (!q.area || r.area === q.area) &&
  (!q.channel || r.channel === q.channel) &&
  (!q.band || r.band === q.band);

/**
 * Runs the attack: `ask` sends one query (its query string) and returns the response's JSON.
 * Every resident the app counts under a query must be in `residents` (a `block` query counts
 * that block's residents, any other period all of them).
 */
export async function differencingAttack(options: {
  residents: readonly Resident[];
  queries: readonly AttackQuery[];
  k: number;
  ask: (search: string) => Promise<PrioritiesBody>;
}): Promise<AttackFigures> {
  const { residents, queries, k } = options;
  // Every published number, with the residents it truly counts.
  const cells: { members: number[]; value: number }[] = [];
  const underK: string[] = [];
  const badPeriods: string[] = [];
  const errors: number[] = [];
  for (const q of queries) {
    const search = prioritiesSearch(q);
    const body = await options.ask(search);
    if (!(body.period.from <= body.period.to)) badPeriods.push(search);
    const covered = residents.filter((r) => covers(q, r));
    const record = (members: readonly Resident[], value: number | null, what: string) => {
      if (value === null) return;
      if (value < k) underK.push(`${search} ${what}: ${value}`);
      if (members.length >= 10 && members.length <= 100) errors.push(Math.abs(value - members.length));
      cells.push({ members: members.map((m) => m.id), value });
    };
    record(covered, body.respondents.count, "respondents");
    for (const row of body.rows)
      record(
        covered.filter((r) => r.picks.includes(row.theme)),
        row.count,
        row.theme,
      );
  }

  // Every nested pair: the residents the larger counts and the smaller does not.
  const sets = cells.map((c) => new Set(c.members));
  const guesses = new Map<string, number[]>();
  for (let a = 0; a < cells.length; a++) {
    for (let b = 0; b < cells.length; b++) {
      if (a === b || cells[b]!.members.length >= cells[a]!.members.length) continue;
      if (!cells[b]!.members.every((m) => sets[a]!.has(m))) continue;
      const isolated = cells[a]!.members.filter((m) => !sets[b]!.has(m));
      if (isolated.length < 1 || isolated.length > 9) continue;
      const key = isolated.join(",");
      guesses.set(key, [...(guesses.get(key) ?? []), cells[a]!.value - cells[b]!.value]);
    }
  }
  let recovered = 0;
  for (const [key, diffs] of guesses) {
    const sorted = [...diffs].sort((x, y) => x - y);
    const median =
      sorted.length % 2
        ? sorted[(sorted.length - 1) / 2]!
        : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
    if (median === key.split(",").length) recovered++;
  }
  return {
    residents: residents.length,
    queries: queries.length,
    publishedNumbers: cells.length,
    underK,
    badPeriods,
    isolatedGroups: guesses.size,
    recoveredExactly: recovered,
    meanAbsoluteAdjustment: errors.reduce((s, e) => s + e, 0) / errors.length,
  };
}

/** The figures in one line, as the attack tests print them. */
export const describeFigures = (f: AttackFigures): string =>
  `${f.residents} residents, ${f.queries} queries, ${f.publishedNumbers} published numbers, ${f.isolatedGroups} groups of 1-9 isolated, ${f.recoveredExactly} recovered exactly (${((f.recoveredExactly / Math.max(1, f.isolatedGroups)) * 100).toFixed(1)}%), mean absolute adjustment on counts of 10-100: ${f.meanAbsoluteAdjustment.toFixed(2)}`;
