// Applies the hand-written SQL migrations in prisma/migrations/<timestamp>_<name>/migration.sql
// to an SQLite file. Each is recorded (with a checksum) in `_placevoice_migrations`; the whole
// run holds SQLite's write lock (BEGIN IMMEDIATE), so two processes starting at once apply
// each migration exactly once: the second waits, then finds nothing left to do.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import type Database from "better-sqlite3";

export interface Migration {
  readonly name: string;
  readonly sql: string;
}

export interface MigrationReport {
  readonly applied: readonly string[];
  readonly alreadyApplied: readonly string[];
}

export class MigrationError extends Error {
  override readonly name = "MigrationError";
}

export function readMigrations(dir: string): Migration[] {
  if (!existsSync(dir)) throw new MigrationError(`No migrations folder at ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^\d{14}_[a-z0-9_]+$/.test(entry.name))
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({ name, sql: readFileSync(path.join(dir, name, "migration.sql"), "utf8") }));
}

function checksum(sql: string): string {
  return createHash("sha256").update(sql.replace(/\r\n/g, "\n")).digest("hex");
}

export function applyMigrations(db: Database.Database, migrations: readonly Migration[]): MigrationReport {
  db.exec(`CREATE TABLE IF NOT EXISTS "_placevoice_migrations" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "checksum" TEXT NOT NULL,
    "applied_at" TEXT NOT NULL
  )`);
  const applied: string[] = [];
  const alreadyApplied: string[] = [];
  db.exec("BEGIN IMMEDIATE");
  try {
    const done = new Map(
      (
        db.prepare(`SELECT "name", "checksum" FROM "_placevoice_migrations"`).all() as {
          name: string;
          checksum: string;
        }[]
      ).map((r) => [r.name, r.checksum]),
    );
    const record = db.prepare(
      `INSERT INTO "_placevoice_migrations" ("name", "checksum", "applied_at") VALUES (?, ?, ?)`,
    );
    for (const migration of migrations) {
      const sum = checksum(migration.sql);
      const previous = done.get(migration.name);
      if (previous !== undefined) {
        if (previous !== sum)
          throw new MigrationError(
            `Migration ${migration.name} was edited after it was applied; add a new migration instead`,
          );
        alreadyApplied.push(migration.name);
        continue;
      }
      db.exec(migration.sql);
      record.run(migration.name, sum, new Date().toISOString());
      applied.push(migration.name);
    }
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
  return { applied, alreadyApplied };
}
