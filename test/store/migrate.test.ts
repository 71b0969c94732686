import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { packageRoot, migrationsDir } from "../../src/runtime-node/paths.js";
import { applyMigrations, MigrationError, readMigrations } from "../../src/store/migrate.js";
import { migrateSqliteFile } from "../../src/store/sqlite-file.js";
import { tempDir } from "../support/temp-db.js";

const run = promisify(execFile);
let cleanup = () => {};
afterEach(() => cleanup());

function scratch() {
  const t = tempDir();
  cleanup = t.cleanup;
  return t.dir;
}

describe("migration runner", () => {
  it("applies every migration once, records it, and does nothing the second time", () => {
    const file = path.join(scratch(), "nested", "folder", "db.sqlite");
    const first = migrateSqliteFile(file, migrationsDir);
    expect(first.applied).toEqual(readMigrations(migrationsDir).map((m) => m.name));
    const second = migrateSqliteFile(file, migrationsDir);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(first.applied);
    const db = new Database(file, { readonly: true });
    expect(db.prepare(`SELECT count(*) AS n FROM "_placevoice_migrations"`).get()).toEqual({ n: first.applied.length });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
  });

  it("refuses to run when an applied migration was edited afterwards", () => {
    const dir = scratch();
    const db = new Database(path.join(dir, "db.sqlite"));
    applyMigrations(db, [{ name: "20260101000000_a", sql: "CREATE TABLE a (x TEXT);" }]);
    expect(() => applyMigrations(db, [{ name: "20260101000000_a", sql: "CREATE TABLE a (x TEXT, y TEXT);" }])).toThrow(
      MigrationError,
    );
    db.close();
  });

  it("rolls back a failing migration completely, recording nothing", () => {
    const dir = scratch();
    const db = new Database(path.join(dir, "db.sqlite"));
    const good = { name: "20260101000000_good", sql: "CREATE TABLE good (x TEXT);" };
    const bad = { name: "20260102000000_bad", sql: "CREATE TABLE half (x TEXT); INSERT INTO nowhere VALUES (1);" };
    expect(() => applyMigrations(db, [good, bad])).toThrow(/nowhere/);
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type='table'`).all() as { name: string }[]).map(
      (t) => t.name,
    );
    expect(tables).not.toContain("half");
    expect(tables).not.toContain("good");
    expect(db.prepare(`SELECT count(*) AS n FROM "_placevoice_migrations"`).get()).toEqual({ n: 0 });
    db.close();
  });

  it("is safe when several processes start on the same new database at once", async () => {
    const dir = scratch();
    const env = { ...process.env, DATABASE_URL: `file:${path.join(dir, "shared.db")}`, LOG_LEVEL: "error" };
    const bin = path.join(packageRoot, "bin", "placevoice.js");
    const results = await Promise.all(
      Array.from({ length: 4 }, () => run(process.execPath, [bin, "migrate"], { env, cwd: packageRoot })),
    );
    const applied = results.filter((r) => r.stdout.startsWith("Applied"));
    expect(applied).toHaveLength(1);
    expect(results.filter((r) => r.stdout.startsWith("Database is up to date"))).toHaveLength(3);
    const db = new Database(path.join(dir, "shared.db"), { readonly: true });
    const rows = db.prepare(`SELECT name FROM "_placevoice_migrations"`).all();
    expect(rows).toHaveLength(readMigrations(migrationsDir).length);
    db.close();
  });

  it("reads only <timestamp>_<name> folders, in order", () => {
    const dir = scratch();
    for (const name of ["20260102000000_second", "20260101000000_first", "notes", "2026_bad"]) {
      mkdirSync(path.join(dir, name));
      writeFileSync(path.join(dir, name, "migration.sql"), `-- ${name}`);
    }
    expect(readMigrations(dir).map((m) => m.name)).toEqual(["20260101000000_first", "20260102000000_second"]);
  });
});
