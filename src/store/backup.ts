// Online backup and restore of the embedded SQLite file with SQLite's backup API (better-sqlite3's
// db.backup()): the copy is one consistent moment of the database while the server keeps writing.
// A copy is written beside its destination, checked (integrity check, row counts, migrations),
// made self-contained (rollback journal, no -wal file), and only then renamed into place.
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { BUSY_TIMEOUT_MS } from "./sqlite-file.js";

/** A problem the operator can fix (a file in the way, a copy that fails its checks): one plain line. */
export class BackupError extends Error {
  override readonly name = "BackupError";
}

export interface BackupCheck {
  /** Rows per table, by table name. */
  readonly rows: Readonly<Record<string, number>>;
  /** Migrations recorded in the copy, oldest first. */
  readonly migrations: readonly string[];
  readonly bytes: number;
  /** One stored (encrypted) address, to check the app secret can read the copy; null with no contacts. */
  readonly sampleAddress: string | null;
}

/** Opens a copy read-only and checks it: SQLite's integrity check, then what it holds. Throws BackupError. */
export function checkSqliteCopy(file: string): BackupCheck {
  if (!existsSync(file)) throw new BackupError(`No file at ${file}`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new BackupError(`${file} is not an SQLite database (${(error as Error).message})`);
  }
  try {
    let integrity: string[];
    try {
      integrity = (db.pragma("integrity_check") as { integrity_check: string }[]).map((r) => r.integrity_check);
    } catch (error) {
      throw new BackupError(`${file} is not an SQLite database (${(error as Error).message})`);
    }
    if (integrity.length !== 1 || integrity[0] !== "ok")
      throw new BackupError(`${file} fails SQLite's integrity check: ${integrity.slice(0, 3).join("; ")}`);
    const tables = (
      db
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
        .all() as { name: string }[]
    ).map((t) => t.name);
    if (!tables.includes("_placevoice_migrations"))
      throw new BackupError(`${file} is not a PlaceVoice database (no migrations recorded)`);
    const rows: Record<string, number> = {};
    for (const table of tables)
      rows[table] = (db.prepare(`SELECT count(*) AS n FROM "${table.replace(/"/g, '""')}"`).get() as { n: number }).n;
    const migrations = (
      db.prepare(`SELECT name FROM "_placevoice_migrations" ORDER BY name`).all() as { name: string }[]
    ).map((m) => m.name);
    const sample = tables.includes("contacts")
      ? ((db.prepare(`SELECT address_enc FROM contacts LIMIT 1`).get() as { address_enc: string } | undefined)
          ?.address_enc ?? null)
      : null;
    return { rows, migrations, bytes: statSync(file).size, sampleAddress: sample };
  } finally {
    db.close();
  }
}

/** Copies `source` (possibly in use) to `destination` with the backup API, then checks the copy. */
export async function backupSqliteFile(
  source: string,
  destination: string,
  options: { force?: boolean } = {},
): Promise<BackupCheck> {
  if (!existsSync(source)) throw new BackupError(`No database at ${source}`);
  if (path.resolve(source) === path.resolve(destination))
    throw new BackupError("The backup cannot be the database itself; name another file");
  if (existsSync(destination) && !options.force)
    throw new BackupError(`${destination} already exists; add --force to replace it`);
  const dir = path.dirname(path.resolve(destination));
  if (!existsSync(dir)) throw new BackupError(`No folder ${dir} for the backup`);
  const partial = `${destination}.partial-${process.pid}`;
  const db = new Database(source, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  try {
    // Pages are copied in steps; a write by the server between steps restarts the copy, so
    // the result is always one moment of the database.
    await db.backup(partial);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
  try {
    // The copy inherits WAL mode from the live file; a backup should be one self-contained file.
    const copy = new Database(partial);
    copy.pragma("journal_mode = DELETE");
    copy.close();
    const check = checkSqliteCopy(partial);
    renameSync(partial, destination);
    return check;
  } catch (error) {
    rmSync(partial, { force: true });
    rmSync(`${partial}-wal`, { force: true });
    rmSync(`${partial}-shm`, { force: true });
    throw error;
  }
}

/**
 * Replaces the database at `target` with the copy at `backup` (already checked by the caller),
 * through the backup API so a leftover -wal file of the old database cannot be replayed over it.
 * The server must be stopped. The old database is kept at `<target>.before-restore`.
 */
export async function restoreSqliteFile(backup: string, target: string): Promise<{ keptAt: string | null }> {
  let keptAt: string | null = null;
  if (existsSync(target)) {
    keptAt = `${target}.before-restore`;
    await backupSqliteFile(target, keptAt, { force: true }).catch((error: unknown) => {
      // An unreadable old file is what a restore is for: keep it as it is.
      if (!(error instanceof BackupError)) throw error;
      renameSync(target, keptAt!);
      rmSync(`${target}-wal`, { force: true });
      rmSync(`${target}-shm`, { force: true });
    });
  }
  mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  const source = new Database(backup, { readonly: true, fileMustExist: true });
  try {
    await source.backup(target);
  } finally {
    source.close();
  }
  return { keptAt };
}
