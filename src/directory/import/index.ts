// Importing a services directory published as Open Referral data from disk (Node: the CLI and
// the first start): a folder holding a tabular data package (HSDS 3 or Open Referral UK file
// names) or an HSDS `/services` JSON file. The reading itself is package.ts, which an uploaded
// zip reaches too; this file only brings the folder's files to it.
//
//   const { services, problems, format } = await importDirectory("directories/stoke-on-trent");
//
// Rows that cannot be used are skipped and listed; fields that cannot be used are listed and
// the row is kept. Every problem names the file and the line (CSV: where the row starts).
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { DEFAULT_CONFIG_FILE, packageConfig, type LoadedDirectoryConfig } from "./config.js";
import type { PackageFiles } from "./package-files.js";
import {
  DirectoryImportError,
  importServicesJson,
  importTabular,
  prepareDirectory,
  type ImportOptions,
  type PackageResult,
  type PreparedDirectory,
} from "./package.js";

export {
  applyCrisisConfig,
  CRISIS_KINDS,
  DEFAULT_CONFIG_FILE,
  packageConfig,
  parseDirectoryConfig,
  toDirectorySettings,
} from "./config.js";
export type { ConfiguredFallback, CrisisKind, DirectoryConfig, FallbackWhen, LoadedDirectoryConfig } from "./config.js";
export { parseCsv } from "./csv.js";
export { DirectoryImportError, type DirectoryFormat, type ImportOptions, type PreparedDirectory } from "./package.js";

/** A folder's files, as a package (the CLI's own folder: its paths are read as given). */
export function folderPackage(folder: string): PackageFiles {
  return {
    name: basename(folder),
    read(path) {
      try {
        return readFileSync(join(folder, path), "utf8");
      } catch {
        return undefined;
      }
    },
    has: (path) => existsSync(join(folder, path)),
  };
}

/** Reads `placevoice.yaml` from a directory's folder (see packageConfig). */
export async function loadDirectoryConfig(folder: string, file = DEFAULT_CONFIG_FILE): Promise<LoadedDirectoryConfig> {
  return packageConfig(folderPackage(folder), file);
}

/** The folder a path's package lives in: the path itself, or the folder of a JSON or datapackage.json file. */
function packageFolder(path: string): string {
  return statSync(path).isFile() ? dirname(path) : path;
}

/**
 * Imports a directory from `path`:
 * - a folder (or its datapackage.json) holding services.csv → "hsds3-tabular";
 * - a folder holding service.csv → "oruk-tabular";
 * - a .json file with one service, a page ({ contents: [...] }) or an array → "hsds-json".
 * Throws DirectoryImportError when the path is none of these.
 */
export async function importDirectory(path: string, options: ImportOptions): Promise<PackageResult> {
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
    return importServicesJson(readFileSync(path, "utf8"), basename(path), options);
  }
  return importTabular(folderPackage(packageFolder(path)), options);
}

/** Reads a directory from disk and applies its placevoice.yaml (the folder's, for a JSON file): ready to store. */
export async function prepareDirectoryAt(path: string, options: ImportOptions): Promise<PreparedDirectory> {
  const result = await importDirectory(path, options);
  return prepareDirectory(result, folderPackage(packageFolder(path)));
}
