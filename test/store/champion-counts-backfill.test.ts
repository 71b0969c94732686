// A service upgraded to the champion_counts running total keeps the champions' reach it had:
// the migration fills the table from the answers already given (their choice facts), counting
// each resident who came through a code once per answer, with their record keys summed.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, expect, it } from "vitest";
import { migrationsDir } from "../../src/runtime-node/paths.js";
import { migrateSqliteFile } from "../../src/store/sqlite-file.js";

const MIGRATION = "20261203140000_champion_counts";
const dir = mkdtempSync(path.join(tmpdir(), "placevoice-champion-backfill-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("fills champion_counts from the answers given before the upgrade", () => {
  const before = path.join(dir, "migrations-before");
  cpSync(migrationsDir, before, { recursive: true, filter: (src) => !src.includes(MIGRATION) });
  const file = path.join(dir, "upgrade.db");
  migrateSqliteFile(file, before);

  const db = new Database(file);
  const contact = db.prepare(
    `INSERT INTO contacts (id, channel, address_hash, address_enc, attribution, record_key, created_at, updated_at) VALUES (?, 'sms', ?, 'x', ?, ?, '2026-11-02T10:00:00.000+00:00', '2026-11-02T10:00:00.000+00:00')`,
  );
  const answer = db.prepare(
    `INSERT INTO answers (id, contact_id, flow_id, question_key, value, channel, language, area, created_at) VALUES (?, ?, 'priorities', 'priorities', '["housing","transport"]', 'sms', 'en', ?, '2026-11-02T10:00:00.000+00:00')`,
  );
  const fact = db.prepare(
    `INSERT INTO theme_facts (id, answer_id, contact_id, flow_id, question_key, theme, source, area, channel, age_band, week, created_at) VALUES (?, ?, ?, 'priorities', 'priorities', ?, 'choice', ?, 'sms', NULL, ?, '2026-11-02T10:00:00.000+00:00')`,
  );
  const residents: [id: string, code: string | null, key: number, area: string, week: string][] = [
    ["c1", "ST6BUS", 17, "ST6", "2026-W45"],
    ["c2", "ST6BUS", 200, "ST6", "2026-W45"],
    ["c3", "ST6LIB", 5, "ST6", "2026-W46"],
    ["c4", null, 99, "ST6", "2026-W45"],
    ["c5", "ST3MKT", 31, "ST3", "2026-W45"],
  ];
  for (const [id, code, key, area, week] of residents) {
    contact.run(id, `hash-${id}`, code, key);
    answer.run(`a-${id}`, id, area);
    // Two priorities each: two facts, one resident.
    for (const theme of ["housing", "transport"]) fact.run(`f-${id}-${theme}`, `a-${id}`, id, theme, area, week);
  }
  db.close();

  const report = migrateSqliteFile(file, migrationsDir);
  expect(JSON.stringify(report)).toContain(MIGRATION);
  const after = new Database(file, { readonly: true });
  expect(after.prepare(`SELECT area, week, count, key_sum FROM champion_counts ORDER BY area, week`).all()).toEqual([
    { area: "ST3", week: "2026-W45", count: 1, key_sum: 31 },
    { area: "ST6", week: "2026-W45", count: 2, key_sum: 217 },
    { area: "ST6", week: "2026-W46", count: 1, key_sum: 5 },
  ]);
  after.close();
});
