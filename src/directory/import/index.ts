// Importing a services directory published as Open Referral data: a tabular data package
// (HSDS 3 or Open Referral UK file names) or HSDS `/services` JSON. Reads files; no database.
//
//   const { services, problems, format } = await importDirectory("directories/stoke-on-trent");
//
// Rows that cannot be used are skipped and listed; fields that cannot be used are listed and
// the row is kept. Every problem names the file and the line (CSV: where the row starts).
import { readFileSync, statSync } from "node:fs";
import { basename, dirname } from "node:path";
import type { ImportResult } from "../types.js";
import { buildService, ProblemLog } from "./build.js";
import { NotServicesJsonError, readServicesJson } from "./json.js";
import { PackageReader } from "./tables.js";
import { detectTabular, readTabular } from "./tabular.js";

export {
  applyCrisisConfig,
  CRISIS_KINDS,
  DEFAULT_CONFIG_FILE,
  loadDirectoryConfig,
  parseDirectoryConfig,
  toDirectorySettings,
} from "./config.js";
export type { ConfiguredFallback, CrisisKind, DirectoryConfig, FallbackWhen, LoadedDirectoryConfig } from "./config.js";
export { parseCsv } from "./csv.js";

export type DirectoryFormat = "hsds3-tabular" | "oruk-tabular" | "hsds-json";

export interface ImportOptions {
  /** Called as rows are read (every 1,000 rows, and once at the end) with the running count. */
  readonly onProgress?: (rowsRead: number) => void;
  /** Today, for dropping schedules that have ended (from the service's clock). */
  readonly now: Date;
}

/** The input is not a directory this importer understands at all (as opposed to one with bad rows). */
export class DirectoryImportError extends Error {
  override readonly name = "DirectoryImportError";
}

/**
 * Imports a directory from `path`:
 * - a folder (or its datapackage.json) holding services.csv → "hsds3-tabular";
 * - a folder holding service.csv → "oruk-tabular";
 * - a .json file with one service, a page ({ contents: [...] }) or an array → "hsds-json".
 * Throws DirectoryImportError when the path is none of these.
 */
export async function importDirectory(
  path: string,
  options: ImportOptions,
): Promise<ImportResult & { readonly format: DirectoryFormat }> {
  const today = options.now.toISOString().slice(0, 10);
  const problems = new ProblemLog();
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new DirectoryImportError(`${path}: no such file or folder`);
  }

  if (stats.isFile() && basename(path).toLowerCase() !== "datapackage.json") {
    if (!/\.json$/i.test(path))
      throw new DirectoryImportError(
        `${path}: expected a folder holding a data package, or a .json file of HSDS services`,
      );
    let drafts;
    try {
      drafts = readServicesJson(readFileSync(path, "utf8"), basename(path), problems);
    } catch (error) {
      if (error instanceof NotServicesJsonError) throw new DirectoryImportError(error.message);
      throw error;
    }
    options.onProgress?.(drafts.length);
    const services = drafts.map((d) => buildService(d, problems, today));
    return { services, problems: problems.sorted(), format: "hsds-json" };
  }

  const folder = stats.isFile() ? dirname(path) : path;
  const reader = new PackageReader(folder, problems, options.onProgress);
  const format = detectTabular(reader);
  if (!format)
    throw new DirectoryImportError(
      `${folder}: no services.csv (HSDS 3) or service.csv (Open Referral UK) in this folder`,
    );
  const drafts = readTabular(format, reader, problems);
  const services = drafts.map((d) => buildService(d, problems, today));
  return { services, problems: problems.sorted(), format };
}
