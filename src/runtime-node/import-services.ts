// Importing a services directory into the database: read it (Open Referral tabular package or
// HSDS JSON), apply its placevoice.yaml (crisis services, fallback contacts, own districts),
// and replace that source's services in one transaction.
import { statSync } from "node:fs";
import path from "node:path";
import {
  applyCrisisConfig,
  importDirectory,
  loadDirectoryConfig,
  toDirectorySettings,
} from "../directory/import/index.js";
import type { ImportProblem } from "../directory/types.js";
import type { ImportCounts, PrismaDirectoryStore } from "../directory/directory-store.js";
import { volunteerGroups } from "../directory/volunteering.js";

export interface ServicesImportReport {
  readonly source: string;
  readonly format: string;
  readonly services: number;
  readonly counts: ImportCounts;
  /** Groups that welcome volunteers (by the taxonomy or placevoice.yaml); 0 for a directory that marks none. */
  readonly groups: number;
  readonly problems: readonly ImportProblem[];
}

export async function importServices(
  location: string,
  store: PrismaDirectoryStore,
  options: { now: Date; onRowsRead?: (rows: number) => void; onStored?: (done: number, total: number) => void },
): Promise<ServicesImportReport> {
  const resolved = path.resolve(location);
  const { now } = options;
  const result = await importDirectory(resolved, {
    now,
    ...(options.onRowsRead ? { onProgress: options.onRowsRead } : {}),
  });
  const folder = statSync(resolved).isDirectory() ? resolved : path.dirname(resolved);
  const loaded = await loadDirectoryConfig(folder);
  const { services, problems: crisisProblems } = applyCrisisConfig(result.services, loaded);
  const source = path.basename(folder);
  const counts = await store.replaceSource(source, services, now, (done) => options.onStored?.(done, services.length));
  await store.saveSettings(toDirectorySettings(loaded.config), now);
  return {
    source,
    format: result.format,
    services: services.length,
    counts,
    groups: volunteerGroups(services, loaded.config.volunteering).length,
    problems: [...result.problems, ...loaded.problems, ...crisisProblems],
  };
}
