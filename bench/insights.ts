// Insight queries over many stored answers: seeds N residents' priorities (with facts) straight
// into SQLite, then times each partner query warm (median of repeated runs), through the same
// InsightQueries the API and dashboard use.
import { allTimePeriod, blockIndexOf, blockPeriod, yearPeriod } from "../src/insights/periods.js";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { THEMES } from "../src/directory/themes.js";
import { InsightQueries } from "../src/insights/queries.js";
import { ReachQueries } from "../src/insights/reach.js";
import { isoWeek } from "../src/store/week.js";
import { migrationsDir } from "../src/runtime-node/paths.js";
import { migrateSqliteFile, openPrismaSqlite } from "../src/store/sqlite-file.js";

const AREAS = [
  "ST1",
  "ST2",
  "ST3",
  "ST4",
  "ST6",
  "ST7",
  "ST8",
  "ST5",
  "ST10",
  "ST11",
  "ST12",
  "ST13",
  "ST14",
  "ST15",
  "ST16",
  "ST17",
  "ST18",
  "ST19",
  "ST20",
  "ST21",
];
const AGE = ["age_18_24", "age_25_34", "age_35_49", "age_50_64", "age_65_plus", null];

/** Champion codes: one resident in five arrived through one of them. */
const CODES = ["ST6BUS", "ST6LIB", "ST3MKT", "ST1HUB"];

/**
 * N residents, each a contact (one in five through a champion's code) with one priorities
 * answer and its theme facts, the running totals the app keeps for them, and a population
 * baseline for every area (the reach queries divide by it).
 */
export function seedAnswers(file: string, residents: number): void {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  const start = Date.parse("2025-11-24T09:00:00Z");
  const span = 365 * 86_400_000;
  const insertContact = db.prepare(
    `INSERT INTO contacts (id, channel, address_hash, address_enc, language, status, consent_version, consent_at, area, attribution, record_key, created_at, updated_at) VALUES (?, ?, ?, 'bench', 'en', 'active', '2026-11', ?, ?, ?, ?, ?, ?)`,
  );
  const insertAnswer = db.prepare(
    `INSERT INTO answers (id, contact_id, flow_id, question_key, value, channel, language, area, created_at, age_band) VALUES (?, ?, 'priorities', 'priorities', ?, ?, 'en', ?, ?, ?)`,
  );
  const insertFact = db.prepare(
    `INSERT INTO theme_facts (id, answer_id, contact_id, flow_id, question_key, theme, source, area, channel, age_band, week, created_at) VALUES (?, ?, NULL, 'priorities', 'priorities', ?, 'choice', ?, ?, ?, ?, ?)`,
  );
  // Running totals, as the app keeps them.
  const themeCounts = new Map<string, number>();
  const respondentCounts = new Map<string, number>();
  const bump = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const area = AREAS[Math.floor(random() ** 1.5 * AREAS.length)]!;
      const at = new Date(start + Math.floor(random() * span));
      const iso = at.toISOString().replace("Z", "+00:00");
      const channel = random() < 0.6 ? "sms" : "telegram";
      const age = AGE[Math.floor(random() * AGE.length)] ?? null;
      const picks = new Set<string>();
      const count = 1 + Math.floor(random() * 3);
      while (picks.size < count) picks.add(THEMES[Math.floor(random() ** 2 * THEMES.length)]!);
      const contactId = `resident-${i}`;
      const code = random() < 0.2 ? CODES[Math.floor(random() * CODES.length)]! : null;
      insertContact.run(contactId, channel, randomBytes(32).toString("base64url"), iso, area, code, i % 256, iso, iso);
      const id = randomUUID();
      insertAnswer.run(id, contactId, JSON.stringify([...picks]), channel, area, iso, age);
      const week = isoWeek(at);
      bump(respondentCounts, ["priorities", area, week, channel, age ?? ""].join("\u0000"));
      for (const theme of picks) {
        insertFact.run(randomUUID(), id, theme, area, channel, age, week, iso);
        bump(themeCounts, ["choice", "priorities", theme, area, week, channel, age ?? ""].join("\u0000"));
      }
    }
  });
  for (let i = 0; i < residents; i += 50_000) batch(i, Math.min(residents, i + 50_000));
  const insertThemeCount = db.prepare(
    `INSERT INTO theme_counts (source, question_key, theme, area, week, channel, age_band, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertRespondentCount = db.prepare(
    `INSERT INTO respondent_counts (question_key, area, week, channel, age_band, count) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (const [key, n] of themeCounts) insertThemeCount.run(...key.split("\u0000"), n);
    for (const [key, n] of respondentCounts) insertRespondentCount.run(...key.split("\u0000"), n);
  })();
  // A baseline for every area: 10,000-odd people per district, split across the age bands.
  const insertBaseline = db.prepare(
    `INSERT INTO population_baseline (area, age_band, population, source, year, imported_at) VALUES (?, ?, ?, 'bench, illustrative', 2021, ?)`,
  );
  db.transaction(() => {
    for (const [a, area] of AREAS.entries())
      for (const [b, band] of AGE.filter((x) => x !== null).entries())
        insertBaseline.run(area, band, 1500 + ((a * 7 + b * 13) % 11) * 150, new Date(start).toISOString());
  })();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.exec("ANALYZE");
  db.close();
}

export interface InsightBenchRow {
  readonly query: string;
  readonly medianMs: number;
}

export async function benchInsights(
  residents: number,
): Promise<{ residents: number; seedSeconds: number; rows: InsightBenchRow[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), "placevoice-insights-bench-"));
  const file = path.join(dir, "bench.db");
  try {
    migrateSqliteFile(file, migrationsDir);
    const seeded = performance.now();
    seedAnswers(file, residents);
    const seedSeconds = (performance.now() - seeded) / 1000;
    return { residents, seedSeconds, rows: await benchInsightQueries(file) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each partner query, warm: the median of seven runs after a first one. */
export async function benchInsightQueries(file: string): Promise<InsightBenchRow[]> {
  const prisma = await openPrismaSqlite(file);
  const queries = new InsightQueries(prisma, 10);
  // The seed's answers run to the end of 2026; "today" is fixed so the periods are too.
  const TODAY = new Date("2026-12-31T12:00:00Z");
  const partner = { allowedAreas: [] as string[] };
  const reach = new ReachQueries(prisma, queries, 10);
  const allTime = allTimePeriod(TODAY, new Date("2025-11-24T00:00:00Z"));
  const cases: [string, () => Promise<unknown>][] = [
    ["priorities, all areas", () => queries.themeTable(partner, "choice", THEMES)],
    ["priorities, one area", () => queries.themeTable({ ...partner, area: "ST6" }, "choice", THEMES)],
    [
      "priorities, area + channel + age band + a four-week block",
      () =>
        queries.themeTable(
          {
            ...partner,
            area: "ST6",
            channel: "sms",
            ageBand: "age_25_34",
            period: blockPeriod(blockIndexOf(new Date("2026-06-01T00:00:00Z")), TODAY),
          },
          "choice",
          THEMES,
        ),
    ],
    [
      "priorities, partner with 5 areas",
      () => queries.themeTable({ allowedAreas: ["ST1", "ST2", "ST3", "ST4", "ST6"] }, "choice", THEMES),
    ],
    ["trend of one theme, one area", () => queries.trend({ ...partner, area: "ST6" }, "choice", "housing", TODAY)],
    ["trend of one theme, all areas", () => queries.trend(partner, "choice", "housing", TODAY)],
    // Reach: per 1,000, age mix, champions' residents and weighted shares, per area.
    ["reach + weighted, one area, all time", () => reach.report({ ...partner, area: "ST6" }, allTime)],
    ["reach + weighted, one area, last 52 weeks", () => reach.report({ ...partner, area: "ST6" }, yearPeriod(TODAY))],
    ["reach + weighted, all 20 areas, last 52 weeks", () => reach.report(partner, yearPeriod(TODAY))],
  ];
  const rows: InsightBenchRow[] = [];
  for (const [name, run] of cases) {
    await run();
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      await run();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    rows.push({ query: name, medianMs: times[3]! });
  }
  await prisma.$disconnect();
  return rows;
}

if (process.argv[1]?.endsWith("insights.ts")) {
  for (const n of (process.argv[2] ?? "10000").split(",").map(Number)) {
    const result = await benchInsights(n);
    console.log(`${n.toLocaleString("en-GB")} residents (seeded in ${result.seedSeconds.toFixed(1)} s):`);
    for (const r of result.rows) console.log(`  ${r.query.padEnd(48)} ${r.medianMs.toFixed(1)} ms`);
  }
}
