// The population baseline an operator supplies: residents per postcode district and age band,
// with the statistic's source and year (docs/insight-and-disclosure.md#reach). It is a public
// statistic, not anything about a resident; it only turns published counts into rates and weights.
// The file is checked whole before anything is stored, and stored in one transaction.
import type { PrismaClient } from "../generated/prisma/client.js";
import { parseCsv } from "../directory/import/csv.js";
import { POSTCODE_DISTRICT } from "../engine/parse-answer.js";

/** The age bands the shipped priorities flow asks about (flows/priorities.yaml), with their labels. */
export const AGE_BANDS: readonly (readonly [id: string, label: string])[] = [
  ["under_18", "Under 18"],
  ["age_18_24", "18 to 24"],
  ["age_25_34", "25 to 34"],
  ["age_35_49", "35 to 49"],
  ["age_50_64", "50 to 64"],
  ["age_65_plus", "65 or over"],
];
const BAND_IDS: readonly string[] = AGE_BANDS.map(([id]) => id);

export const BASELINE_HEADER = ["area", "age_band", "population"] as const;

export interface BaselineRow {
  readonly area: string;
  readonly ageBand: string;
  readonly population: number;
}

export interface BaselineProblem {
  readonly line: number;
  readonly message: string;
}

/** An area's baseline: residents per age band (every band), their total, and where the figures come from. */
export interface AreaBaseline {
  readonly area: string;
  readonly byBand: ReadonlyMap<string, number>;
  readonly total: number;
  readonly source: string;
  readonly year: number;
}

/**
 * Reads `area,age_band,population` CSV. Every row is checked (area format, known band, a whole
 * number of 0 or more, no repeat of an area and band) and every area must give every band, so
 * that its total is the sum of its bands. Returns the rows, or every problem with its line.
 */
export function parseBaselineCsv(text: string): { rows: BaselineRow[] } | { problems: BaselineProblem[] } {
  const parsed = parseCsv(text);
  const problems: BaselineProblem[] = [...parsed.problems];
  const [header, ...records] = parsed.records;
  const names = header?.fields.map((f) => f.trim().toLowerCase()) ?? [];
  if (!header || BASELINE_HEADER.some((name, i) => names[i] !== name) || names.length !== BASELINE_HEADER.length) {
    return {
      problems: [
        {
          line: header?.line ?? 1,
          message: `the first line must be the header ${BASELINE_HEADER.join(",")} (found "${header?.fields.join(",") ?? ""}")`,
        },
      ],
    };
  }
  const rows: BaselineRow[] = [];
  const seen = new Map<string, number>();
  const firstLineOf = new Map<string, number>();
  for (const { line, fields } of records) {
    if (fields.length !== 3) {
      problems.push({ line, message: `expected 3 values (area,age_band,population), found ${fields.length}` });
      continue;
    }
    const area = fields[0]!.trim().toUpperCase();
    const ageBand = fields[1]!.trim();
    const raw = fields[2]!.trim();
    let ok = true;
    if (!POSTCODE_DISTRICT.test(area)) {
      problems.push({ line, message: `"${fields[0]}" is not a postcode district (like ST6)` });
      ok = false;
    }
    if (!BAND_IDS.includes(ageBand)) {
      problems.push({ line, message: `unknown age band "${ageBand}" (one of ${BAND_IDS.join(", ")})` });
      ok = false;
    }
    if (!/^-?\d+$/.test(raw)) {
      problems.push({ line, message: `population "${raw}" is not a whole number` });
      ok = false;
    } else if (Number(raw) < 0) {
      problems.push({ line, message: `population ${raw} is negative` });
      ok = false;
    } else if (!Number.isSafeInteger(Number(raw))) {
      problems.push({ line, message: `population ${raw} is too large` });
      ok = false;
    }
    if (!ok) continue;
    const key = `${area} ${ageBand}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problems.push({ line, message: `${area} ${ageBand} is given twice (first on line ${earlier})` });
      continue;
    }
    seen.set(key, line);
    if (!firstLineOf.has(area)) firstLineOf.set(area, line);
    rows.push({ area, ageBand, population: Number(raw) });
  }
  for (const [area, line] of firstLineOf) {
    const missing = BAND_IDS.filter((band) => !seen.has(`${area} ${band}`));
    if (missing.length > 0)
      problems.push({ line, message: `${area} has no row for ${missing.join(", ")}: give every age band` });
  }
  if (problems.length === 0 && rows.length === 0) problems.push({ line: 2, message: "the file has no rows" });
  problems.sort((a, b) => a.line - b.line);
  return problems.length > 0 ? { problems } : { rows };
}

export class PopulationBaselines {
  constructor(private readonly prisma: PrismaClient) {}

  /** Replaces the baseline of every area in `rows` (other areas keep theirs), all or nothing. */
  async replace(rows: readonly BaselineRow[], source: string, year: number, at: Date): Promise<string[]> {
    const areas = [...new Set(rows.map((r) => r.area))].sort();
    await this.prisma.$transaction([
      this.prisma.populationBaseline.deleteMany({ where: { area: { in: areas } } }),
      this.prisma.populationBaseline.createMany({
        data: rows.map((r) => ({ ...r, source, year, importedAt: at })),
      }),
    ]);
    return areas;
  }

  /** The baselines of these areas (all areas when empty), by area. */
  async of(areas: readonly string[]): Promise<Map<string, AreaBaseline>> {
    const rows = await this.prisma.populationBaseline.findMany({
      where: areas.length > 0 ? { area: { in: [...areas] } } : {},
      orderBy: [{ area: "asc" }],
    });
    const out = new Map<string, AreaBaseline>();
    for (const r of rows) {
      const prior = out.get(r.area);
      const byBand = new Map(prior?.byBand ?? []);
      byBand.set(r.ageBand, r.population);
      out.set(r.area, {
        area: r.area,
        byBand,
        total: (prior?.total ?? 0) + r.population,
        source: r.source,
        year: r.year,
      });
    }
    return out;
  }
}
