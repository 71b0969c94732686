// `placevoice backup <file> [--force]`: a consistent copy of the SQLite database while the server
// runs, checked before it is kept, and recorded (audit log) so `placevoice status` can tell its age.
// `placevoice restore <file> --force`: checks a copy (integrity, migrations this version knows, the
// app secret reads its addresses), keeps the current database aside, and puts the copy in its place.
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { BACKUP_ACTION } from "../ops/status.js";
import { ensureAppSecrets } from "../runtime-node/app-secret.js";
import { migrationsDir } from "../runtime-node/paths.js";
import { createAddressCrypto } from "../store/address-crypto.js";
import {
  BackupError,
  backupSqliteFile,
  checkSqliteCopy,
  restoreSqliteFile,
  type BackupCheck,
} from "../store/backup.js";
import { newRowId } from "../store/ids.js";
import { readMigrations } from "../store/migrate.js";
import { migrateSqliteFile, openPrismaSqlite, sqlitePathFromUrl } from "../store/sqlite-file.js";
import { cliConfig, cliLogger, type CliIO } from "./io.js";

const SECRET_REMINDER =
  "Keep the app secret (APP_SECRET, or app-secret beside the database) with the backup, apart from it: without it the stored addresses cannot be read.";

function summary(check: BackupCheck): string {
  const rows = (table: string) => check.rows[table] ?? 0;
  return `${(check.bytes / 1024).toFixed(0)} KiB, integrity ok, ${check.migrations.length} migration(s), ${rows("contacts")} contact(s), ${rows("answers")} answer(s), ${rows("outbox")} outbox message(s)`;
}

function options(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    options: { force: { type: "boolean", default: false } },
    allowPositionals: true,
  });
}

export async function backupCommand(args: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = options(args);
  const destination = positionals[0];
  if (!destination || positionals.length > 1) {
    io.err("placevoice backup: name one file to write, e.g. placevoice backup backups/placevoice.db");
    return 2;
  }
  const source = sqlitePathFromUrl(cliConfig(io).databaseUrl);
  let check: BackupCheck;
  try {
    check = await backupSqliteFile(source, destination, { force: values.force });
  } catch (error) {
    if (!(error instanceof BackupError)) throw error;
    io.err(`placevoice backup: ${error.message}`);
    return 2;
  }
  const prisma = await openPrismaSqlite(source);
  try {
    await prisma.auditEntry.create({
      data: {
        id: newRowId(),
        actor: "operator (cli)",
        action: BACKUP_ACTION,
        detail: JSON.stringify({ file: path.resolve(destination), bytes: check.bytes, rows: check.rows }),
        createdAt: io.now(),
      },
    });
  } finally {
    await prisma.$disconnect();
  }
  io.out(`Backed up ${source} to ${destination}: ${summary(check)}.`);
  io.out(SECRET_REMINDER);
  return 0;
}

export async function restoreCommand(args: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = options(args);
  const backup = positionals[0];
  if (!backup || positionals.length > 1) {
    io.err("placevoice restore: name the backup to restore, e.g. placevoice restore backups/placevoice.db --force");
    return 2;
  }
  const config = cliConfig(io);
  const target = sqlitePathFromUrl(config.databaseUrl);
  try {
    const check = checkSqliteCopy(backup);
    const known = new Set(readMigrations(migrationsDir).map((m) => m.name));
    const unknown = check.migrations.filter((m) => !known.has(m));
    if (unknown.length > 0)
      throw new BackupError(
        `${backup} was made by a newer PlaceVoice (migration ${unknown[0]} is unknown here); upgrade before restoring`,
      );
    if (check.sampleAddress !== null) await checkSecretReads(check.sampleAddress, config, target, io);
    if (existsSync(target) && !values.force)
      throw new BackupError(
        `${target} exists; stop the server, then add --force to replace it (the current database is kept at ${target}.before-restore)`,
      );
    const { keptAt } = await restoreSqliteFile(backup, target);
    const report = migrateSqliteFile(target, migrationsDir);
    io.out(`Restored ${backup} to ${target}: ${summary(check)}.`);
    if (report.applied.length > 0) io.out(`Applied ${report.applied.length} newer migration(s) to it.`);
    if (keptAt) io.out(`The database it replaced is kept at ${keptAt}.`);
    return 0;
  } catch (error) {
    if (!(error instanceof BackupError)) throw error;
    io.err(`placevoice restore: ${error.message}`);
    return 2;
  }
}

/** The secret the restored server will use must read the copy's addresses, or every contact is lost. */
async function checkSecretReads(
  sample: string,
  config: ReturnType<typeof cliConfig>,
  target: string,
  io: CliIO,
): Promise<void> {
  const dataDir = path.dirname(path.resolve(target));
  if (!config.appSecret && !existsSync(path.join(dataDir, "app-secret")))
    throw new BackupError(
      `no app secret to read the backup with: set APP_SECRET, or put the backed-up app-secret file in ${dataDir}`,
    );
  const secrets = ensureAppSecrets(config.appSecret, config.previousAppSecrets, dataDir, cliLogger("error", io));
  const crypto = await createAddressCrypto(secrets.current, secrets.previous);
  try {
    await crypto.decrypt(sample);
  } catch {
    throw new BackupError(
      "the app secret cannot read the addresses in this backup; set the secret in use when it was taken (APP_SECRET, or its app-secret file)",
    );
  }
}
