// `placevoice services import <path>`: import an Open Referral directory, reporting every row
// it could not use with file and line, and progress on large files. Into the SQLite file, or
// with `--d1 <database>` into Cloudflare D1 in the same command: the directory is read here,
// planned against the services D1 holds, and written by `wrangler d1 execute` as the same
// statements the service runs itself (src/directory/directory-store.ts).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  importStatements,
  planImport,
  type DirectoryImportReport,
  type HeldServices,
} from "../directory/directory-store.js";
import { DirectoryImportError, prepareDirectoryAt } from "../directory/import/index.js";
import { importServices } from "../runtime-node/import-services.js";
import { openNodeServices } from "../runtime-node/services.js";
import { inlineStatement, sqlLiteral } from "../store/sql-text.js";
import { cliConfig, cliLogger, type CliIO } from "./io.js";

const USAGE =
  "Usage: placevoice services import <folder with datapackage.json | services.json> [--d1 <database> [--remote] [--persist-to <dir>]]\n       placevoice services export-sql > services.sql   (for `wrangler d1 execute placevoice --file services.sql`)";

/** A statement written into the SQL file for D1 stays under D1's 100 kB a statement. */
const D1_STATEMENT_CHARS = 90_000;

function printReport(report: DirectoryImportReport, io: CliIO): void {
  for (const problem of report.problems) io.out(`${problem.file}:${problem.line}: ${problem.message}`);
  io.out(
    `Imported ${report.services} service(s) from "${report.source}" (${report.format}): ${report.counts.added} added, ${report.counts.updated} updated, ${report.counts.removed} removed. ${report.problems.length} problem(s) reported above.`,
  );
  io.out(
    report.groups > 0
      ? `${report.groups} group(s) welcome volunteers (marked "Volunteering" in the taxonomy or listed under volunteering: in placevoice.yaml).`
      : `No group is marked as welcoming volunteers (a "Volunteering" taxonomy term, or volunteering: in placevoice.yaml).`,
  );
}

export async function servicesCommand(args: readonly string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "export-sql") return exportSql(io);
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      d1: { type: "string" },
      remote: { type: "boolean", default: false },
      "persist-to": { type: "string" },
    },
    allowPositionals: true,
  });
  const [location] = positionals;
  if (sub !== "import" || !location || positionals.length > 1) {
    io.err(USAGE);
    return 2;
  }
  if (values.d1 === undefined && (values.remote || values["persist-to"] !== undefined)) {
    io.err("placevoice services import: --remote and --persist-to go with --d1 <database>");
    return 2;
  }
  if (values.d1 !== undefined && !/^[\w-]+$/.test(values.d1)) {
    io.err("placevoice services import: --d1 takes the D1 database's name from wrangler.toml, e.g. --d1 placevoice");
    return 2;
  }
  if (values.remote && values["persist-to"] !== undefined) {
    io.err("placevoice services import: --persist-to is for the local D1 of `wrangler dev`, not with --remote");
    return 2;
  }
  let lastReported = 0;
  const onRowsRead = (rows: number) => {
    if (rows - lastReported >= 5000) {
      lastReported = rows;
      io.out(`  … ${rows.toLocaleString("en-GB")} rows read`);
    }
  };
  try {
    if (values.d1 !== undefined)
      return await importIntoD1(
        location,
        { database: values.d1, remote: values.remote, persistTo: values["persist-to"] },
        io,
        onRowsRead,
      );
    const services = await openNodeServices(cliConfig(io), { log: cliLogger("warn", io), now: io.now });
    try {
      const report = await importServices(location, services.directoryStore, { now: services.now(), onRowsRead });
      printReport(report, io);
      return report.services > 0 ? 0 : 1;
    } finally {
      await services.close();
    }
  } catch (error) {
    if (error instanceof DirectoryImportError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
}

interface D1Target {
  readonly database: string;
  readonly remote: boolean;
  readonly persistTo: string | undefined;
}

/** Runs `wrangler d1 execute` on the target with these arguments; its stdout, or an Error carrying its output. */
function wranglerD1(target: D1Target, args: readonly string[]): string {
  let bin: string;
  try {
    bin = path.join(
      path.dirname(createRequire(import.meta.url).resolve("wrangler/package.json")),
      "bin",
      "wrangler.js",
    );
  } catch {
    throw new WranglerError("wrangler is not installed here: npm install wrangler (it reaches D1)");
  }
  const where = target.remote
    ? ["--remote"]
    : ["--local", ...(target.persistTo ? ["--persist-to", path.resolve(target.persistTo)] : [])];
  const result = spawnSync(process.execPath, [bin, "d1", "execute", target.database, ...where, ...args, "--yes"], {
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new WranglerError(
      `wrangler d1 execute ${target.database} failed, nothing was imported:\n${`${result.stdout}\n${result.stderr}`
        .replace(/\x1b\[[0-9;]*m/g, "")
        .trim()
        .split("\n")
        .slice(-15)
        .join("\n")}`,
    );
  return result.stdout;
}

class WranglerError extends Error {}

/** Reads the directory, plans it against what D1 holds, and writes it with one `wrangler d1 execute --file`. */
async function importIntoD1(
  location: string,
  target: D1Target,
  io: CliIO,
  onRowsRead: (rows: number) => void,
): Promise<number> {
  const now = io.now();
  const prepared = await prepareDirectoryAt(path.resolve(location), { now, onProgress: onRowsRead });
  if (prepared.services.length === 0) {
    printReport(planImport(prepared, []).report, io);
    io.err("Nothing was written to D1: no service could be used.");
    return 1;
  }
  const scratch = mkdtempSync(path.join(tmpdir(), "placevoice-d1-"));
  try {
    const held = (
      JSON.parse(wranglerD1(target, ["--command", `SELECT "id", "source" FROM "services"`, "--json"])) as {
        results: { id: string; source: string }[];
      }[]
    )[0]!.results as HeldServices;
    const { report, stale } = planImport(prepared, held);
    const file = path.join(scratch, "services.sql");
    writeFileSync(
      file,
      `${importStatements(prepared, stale, now, D1_STATEMENT_CHARS).map(inlineStatement).join("\n")}\n`,
    );
    wranglerD1(target, ["--file", file]);
    printReport(report, io);
    io.out(
      `Stored in the ${target.remote ? "remote" : "local"} D1 database "${target.database}". The Worker signposts from it within a minute (its cron reloads the directory).`,
    );
    return 0;
  } catch (error) {
    if (error instanceof WranglerError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The directory as SQL (services and directory settings, replacing what is there): how it reaches D1 on Workers. */
async function exportSql(io: CliIO): Promise<number> {
  const services = await openNodeServices(cliConfig(io), { log: cliLogger("warn", io), now: io.now });
  try {
    io.out("-- PlaceVoice services directory, exported by `placevoice services export-sql`.");
    for (const table of ["services", "directory_settings"]) {
      io.out(`DELETE FROM "${table}";`);
      const rows = await services.prisma.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM "${table}"`);
      for (const row of rows) {
        const columns = Object.keys(row);
        io.out(
          `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map((c) => sqlLiteral(row[c])).join(", ")});`,
        );
      }
    }
    return 0;
  } finally {
    await services.close();
  }
}
