// `placevoice services import <path>`: import an Open Referral directory, reporting every row
// it could not use with file and line, and progress on large files.
import { DirectoryImportError } from "../directory/import/index.js";
import { importServices } from "../runtime-node/import-services.js";
import { openNodeServices } from "../runtime-node/services.js";
import { sqlDate } from "../store/step-statements.js";
import { cliConfig, cliLogger, type CliIO } from "./io.js";

export async function servicesCommand(args: readonly string[], io: CliIO): Promise<number> {
  const [sub, location] = args;
  if (sub === "export-sql") return exportSql(io);
  if (sub !== "import" || !location) {
    io.err(
      "Usage: placevoice services import <folder with datapackage.json | services.json>\n       placevoice services export-sql > services.sql   (for `wrangler d1 execute placevoice --file services.sql`)",
    );
    return 2;
  }
  const services = await openNodeServices(cliConfig(io), { log: cliLogger("warn", io), now: io.now });
  try {
    let lastReported = 0;
    const report = await importServices(location, services.directoryStore, {
      now: services.now(),
      onRowsRead: (rows) => {
        if (rows - lastReported >= 5000) {
          lastReported = rows;
          io.out(`  … ${rows.toLocaleString("en-GB")} rows read`);
        }
      },
    });
    for (const problem of report.problems) io.out(`${problem.file}:${problem.line}: ${problem.message}`);
    io.out(
      `Imported ${report.services} service(s) from "${report.source}" (${report.format}): ${report.counts.added} added, ${report.counts.updated} updated, ${report.counts.removed} removed. ${report.problems.length} problem(s) reported above.`,
    );
    io.out(
      report.groups > 0
        ? `${report.groups} group(s) welcome volunteers (marked "Volunteering" in the taxonomy or listed under volunteering: in placevoice.yaml).`
        : `No group is marked as welcoming volunteers (a "Volunteering" taxonomy term, or volunteering: in placevoice.yaml).`,
    );
    return report.services > 0 ? 0 : 1;
  } catch (error) {
    if (error instanceof DirectoryImportError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  } finally {
    await services.close();
  }
}

/** The directory as SQL (services and directory settings, replacing what is there): how it reaches D1 on Workers. */
async function exportSql(io: CliIO): Promise<number> {
  const services = await openNodeServices(cliConfig(io), { log: cliLogger("warn", io), now: io.now });
  try {
    const literal = (v: unknown): string => {
      if (v === null || v === undefined) return "NULL";
      if (typeof v === "number" || typeof v === "bigint") return String(v);
      if (typeof v === "boolean") return v ? "1" : "0";
      return `'${(v instanceof Date ? sqlDate(v) : String(v)).replace(/'/g, "''")}'`;
    };
    io.out("-- PlaceVoice services directory, exported by `placevoice services export-sql`.");
    for (const table of ["services", "directory_settings"]) {
      io.out(`DELETE FROM "${table}";`);
      const rows = await services.prisma.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM "${table}"`);
      for (const row of rows) {
        const columns = Object.keys(row);
        io.out(
          `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map((c) => literal(row[c])).join(", ")});`,
        );
      }
    }
    return 0;
  } finally {
    await services.close();
  }
}
