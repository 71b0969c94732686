// Importing a services directory from disk into the database (the CLI, and the first start):
// read it (Open Referral tabular package or HSDS JSON), apply its placevoice.yaml (crisis
// services, fallback contacts, own districts), and replace that source's services and the
// directory's settings all at once.
import path from "node:path";
import { prepareDirectoryAt } from "../directory/import/index.js";
import type { DirectoryImportReport, PrismaDirectoryStore } from "../directory/directory-store.js";

export async function importServices(
  location: string,
  store: PrismaDirectoryStore,
  options: { now: Date; onRowsRead?: (rows: number) => void },
): Promise<DirectoryImportReport> {
  const prepared = await prepareDirectoryAt(path.resolve(location), {
    now: options.now,
    ...(options.onRowsRead ? { onProgress: options.onRowsRead } : {}),
  });
  return store.replaceSource(prepared, options.now);
}
