// The reach report reads every area's and age band's theme table from four grouped queries
// (InsightQueries.areaBandTables) instead of one set of queries per table. It must publish
// exactly what themeTable publishes for each of those filters — the same cells, parents and
// gate — or a partner could learn something from the difference. Checked over running totals
// with many small cells (1–14 residents) in three areas, six bands, two channels and a year of
// weeks, for all time, one block and the last 52 weeks, for an all-areas partner and one
// limited to two areas.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "../../src/generated/prisma/client.js";
import { blockIndexOf, blockPeriod, yearPeriod } from "../../src/insights/periods.js";
import { InsightQueries } from "../../src/insights/queries.js";
import { THEMES } from "../../src/directory/themes.js";
import { migrationsDir } from "../../src/runtime-node/paths.js";
import { migrateSqliteFile, openPrismaSqlite } from "../../src/store/sqlite-file.js";
import { isoWeek } from "../../src/store/week.js";

const AREAS = ["ST3", "ST4", "ST6"];
const BANDS = ["under_18", "age_18_24", "age_25_34", "age_35_49", "age_50_64", "age_65_plus"];
const TODAY = new Date("2026-06-30T12:00:00Z");

let dir: string;
let prisma: PrismaClient;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "placevoice-area-band-"));
  const file = path.join(dir, "totals.db");
  migrateSqliteFile(file, migrationsDir);
  const db = new Database(file);
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const respondents = db.prepare(
    `INSERT INTO respondent_counts (question_key, area, week, channel, age_band, count, key_sum) VALUES ('priorities', ?, ?, ?, ?, ?, ?)`,
  );
  const themes = db.prepare(
    `INSERT INTO theme_counts (source, question_key, theme, area, week, channel, age_band, count, key_sum) VALUES ('choice', 'priorities', ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (let day = 0; day < 420; day += 7) {
      const week = isoWeek(new Date(Date.parse("2025-05-05T12:00:00Z") + day * 86_400_000));
      // An unknown area ('') and unknown band ('') count towards every wider total, as in the app.
      for (const area of [...AREAS, ""])
        for (const band of [...BANDS, ""])
          for (const channel of ["sms", "telegram"]) {
            if (random() < 0.55) continue;
            const n = 1 + Math.floor(random() * 14);
            const keys = Array.from({ length: n }, () => Math.floor(random() * 256));
            respondents.run(
              area,
              week,
              channel,
              band,
              n,
              keys.reduce((a, b) => a + b, 0),
            );
            for (const [t, theme] of THEMES.entries()) {
              // Some themes are rare, so that even all-time cells of them are small.
              const chose = keys.filter(() => random() < (t % 4 === 3 ? 0.004 : 0.4));
              if (chose.length > 0)
                themes.run(
                  theme,
                  area,
                  week,
                  channel,
                  band,
                  chose.length,
                  chose.reduce((a, b) => a + b, 0),
                );
            }
          }
    }
  })();
  db.close();
  prisma = await openPrismaSqlite(file);
}, 60_000);

afterAll(async () => {
  await prisma?.$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe("theme tables for every area and age band at once", () => {
  const periods = [
    ["all time", undefined],
    ["one four-week block", blockPeriod(blockIndexOf(new Date("2026-03-10T00:00:00Z")), TODAY)],
    ["the last 52 weeks", yearPeriod(TODAY)],
  ] as const;
  for (const allowedAreas of [[], ["ST4", "ST6"]]) {
    for (const [name, period] of periods) {
      it(`publishes what each table's own query does: ${name}, ${allowedAreas.length ? "a partner with two areas" : "all areas"}`, async () => {
        const queries = new InsightQueries(prisma, 10);
        const base = { allowedAreas, ...(period ? { period } : {}) };
        const areas = allowedAreas.length ? allowedAreas : AREAS;
        const grid = await queries.areaBandTables(base, areas, BANDS, "choice", THEMES);
        let published = 0;
        let withheld = 0;
        for (const area of areas) {
          const got = grid.get(area)!;
          expect(got.overall, `${area}`).toEqual(await queries.themeTable({ ...base, area }, "choice", THEMES));
          expect(got.population).toEqual(await queries.population({ ...base, area }));
          for (const [i, band] of BANDS.entries()) {
            const own = await queries.themeTable({ ...base, area, ageBand: band }, "choice", THEMES);
            expect(got.byBand[i], `${area} ${band}`).toEqual(own);
            for (const row of own.rows) row.suppressed ? withheld++ : published++;
          }
        }
        // The comparison covered both kinds of cell.
        expect(published).toBeGreaterThan(0);
        expect(withheld).toBeGreaterThan(0);
      });
    }
  }
});
