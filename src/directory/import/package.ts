// Reading a directory package's services, from its files however they arrived (a folder on
// disk, an uploaded zip): a tabular data package (HSDS 3 or Open Referral UK file names), or
// HSDS `/services` JSON. Then its placevoice.yaml is applied, giving what an import stores and
// the report an operator sees before and after (the CLI prints it; the dashboard shows it).
import type { DirectorySettings } from "../settings.js";
import type { DirectoryService, ImportProblem, ImportResult } from "../types.js";
import { volunteerGroups } from "../volunteering.js";
import { buildService, ProblemLog } from "./build.js";
import { applyCrisisConfig, packageConfig, toDirectorySettings } from "./config.js";
import { NotServicesJsonError, readServicesJson } from "./json.js";
import type { PackageFiles } from "./package-files.js";
import { PackageReader } from "./tables.js";
import { detectTabular, readTabular } from "./tabular.js";

export type DirectoryFormat = "hsds3-tabular" | "oruk-tabular" | "hsds-json";

export interface ImportOptions {
  /** Called as rows are read (every 1,000 rows, and once at the end) with the running count. */
  readonly onProgress?: (rowsRead: number) => void;
  /** Today, for dropping schedules that have ended (from the service's clock). */
  readonly now: Date;
}

export type PackageResult = ImportResult & { readonly format: DirectoryFormat };

/** The input is not a directory this importer understands at all (as opposed to one with bad rows). */
export class DirectoryImportError extends Error {
  override readonly name = "DirectoryImportError";
}

const today = (now: Date) => now.toISOString().slice(0, 10);

/** A tabular package's services; DirectoryImportError when it has neither services.csv nor service.csv. */
export function importTabular(files: PackageFiles, options: ImportOptions): PackageResult {
  const problems = new ProblemLog();
  const reader = new PackageReader(files, problems, options.onProgress);
  const format = detectTabular(reader);
  if (!format)
    throw new DirectoryImportError(
      `${files.name}: no services.csv (HSDS 3) or service.csv (Open Referral UK) in this folder`,
    );
  const drafts = readTabular(format, reader, problems);
  const services = drafts.map((d) => buildService(d, problems, today(options.now)));
  return { services, problems: problems.sorted(), format };
}

/** HSDS `/services` JSON (one service, a page or an array); DirectoryImportError when it is not that at all. */
export function importServicesJson(source: string, file: string, options: ImportOptions): PackageResult {
  const problems = new ProblemLog();
  let drafts;
  try {
    drafts = readServicesJson(source, file, problems);
  } catch (error) {
    if (error instanceof NotServicesJsonError) throw new DirectoryImportError(error.message);
    throw error;
  }
  options.onProgress?.(drafts.length);
  const services = drafts.map((d) => buildService(d, problems, today(options.now)));
  return { services, problems: problems.sorted(), format: "hsds-json" };
}

/** A directory ready to store: its services with placevoice.yaml applied, its settings, and what was wrong. */
export interface PreparedDirectory {
  /** The source its services replace (the package's name): re-importing a source updates it. */
  readonly source: string;
  readonly format: DirectoryFormat;
  readonly services: readonly DirectoryService[];
  readonly settings: DirectorySettings;
  /** Groups that welcome volunteers (by the taxonomy or placevoice.yaml); 0 for a directory that marks none. */
  readonly groups: number;
  readonly problems: readonly ImportProblem[];
}

/** Applies the package's placevoice.yaml (crisis services, fallback contacts, own districts) to what was read. */
export function prepareDirectory(result: PackageResult, files: PackageFiles): PreparedDirectory {
  const loaded = packageConfig(files);
  const { services, problems: crisisProblems } = applyCrisisConfig(result.services, loaded);
  return {
    source: files.name,
    format: result.format,
    services,
    settings: toDirectorySettings(loaded.config),
    groups: volunteerGroups(services, loaded.config.volunteering).length,
    problems: [...result.problems, ...loaded.problems, ...crisisProblems],
  };
}
