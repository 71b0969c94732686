// The services directory. An import replaces one source's services and the directory's
// settings in one atomic batch of the SQL port (a SQLite transaction on Node, a D1 batch on
// Workers, where Prisma has no transactions): upsert by the source's own ids, remove what the
// source no longer lists, so re-importing updates and never duplicates, and a failure leaves
// the directory as it was. Reads go through Prisma.
import { sqlDate } from "../store/step-statements.js";
import type { SqlPort, SqlStatement } from "../store/sql-port.js";
import type { PreparedDirectory } from "./import/package.js";
import type { DirectorySettings } from "./settings.js";
import { EMPTY_SETTINGS } from "./settings.js";
import type { ThemeId } from "./themes.js";
import type { DirectoryService, ImportProblem } from "./types.js";
import type { PrismaClient } from "../generated/prisma/client.js";

export interface ImportCounts {
  readonly added: number;
  readonly updated: number;
  readonly removed: number;
}

/** What an import did (or, before it is confirmed, would do): the report the CLI prints and the dashboard shows. */
export interface DirectoryImportReport {
  readonly source: string;
  readonly format: string;
  readonly services: number;
  readonly counts: ImportCounts;
  /** Groups that welcome volunteers (by the taxonomy or placevoice.yaml); 0 for a directory that marks none. */
  readonly groups: number;
  readonly problems: readonly ImportProblem[];
}

const SETTINGS_KEY = "settings";
/** JSON per statement, as one bound parameter: well under D1's 2 MB for a string. */
const CHUNK_CHARS = 900_000;

const COLUMNS = [
  "id",
  "name",
  "summary",
  "organisation",
  "url",
  "email",
  "phones",
  "terms",
  "themes",
  "coverage",
  "national",
  "locations",
  "hours",
  "crisis",
] as const;

function rowOf(s: DirectoryService): (string | number | null)[] {
  return [
    s.id,
    s.name,
    s.summary,
    s.organisation ?? null,
    s.url ?? null,
    s.email ?? null,
    JSON.stringify(s.phones),
    JSON.stringify(s.terms),
    JSON.stringify(s.themes),
    JSON.stringify(s.coverage),
    s.national ? 1 : 0,
    JSON.stringify(s.locations),
    JSON.stringify(s.hours),
    JSON.stringify(s.crisis),
  ];
}

// Rows arrive as one JSON array of arrays per statement (one bound parameter, whatever the
// count: D1 binds at most 100). A row whose id another source holds is left to that source.
const UPSERT = `INSERT INTO "services" (${[...COLUMNS, "source", "updated_at"].map((c) => `"${c}"`).join(", ")})
SELECT ${COLUMNS.map((_, i) => `json_extract(value, '$[${i}]')`).join(", ")}, ?, ? FROM json_each(?) WHERE true
ON CONFLICT("id") DO UPDATE SET ${[...COLUMNS.slice(1), "updated_at"].map((c) => `"${c}" = excluded."${c}"`).join(", ")}
WHERE "services"."source" = excluded."source"`;

/** The services a database holds, by id and source: what an import is planned against. */
export type HeldServices = readonly { readonly id: string; readonly source: string }[];

/** Strings as JSON arrays of at most `chars` characters each. */
function jsonChunks(items: readonly string[], chars: number): string[] {
  const chunks: string[] = [];
  let chunk: string[] = [];
  let length = 0;
  for (const item of items) {
    if (chunk.length > 0 && length + item.length > chars) {
      chunks.push(`[${chunk.join(",")}]`);
      chunk = [];
      length = 0;
    }
    chunk.push(item);
    length += item.length + 1;
  }
  if (chunk.length > 0) chunks.push(`[${chunk.join(",")}]`);
  return chunks;
}

/** What importing the directory into a database holding `held` does: the report, and the ids it removes. */
export function planImport(
  prepared: PreparedDirectory,
  held: HeldServices,
): { report: DirectoryImportReport; stale: string[] } {
  const existing = new Set(held.filter((s) => s.source === prepared.source).map((s) => s.id));
  const other = new Set(held.filter((s) => s.source !== prepared.source).map((s) => s.id));
  const incoming = prepared.services.filter((s) => !other.has(s.id));
  const incomingIds = new Set(prepared.services.map((s) => s.id));
  const updated = incoming.filter((s) => existing.has(s.id)).length;
  const stale = [...existing].filter((id) => !incomingIds.has(id));
  return {
    report: {
      source: prepared.source,
      format: prepared.format,
      services: prepared.services.length,
      counts: { added: incoming.length - updated, updated, removed: stale.length },
      groups: prepared.groups,
      problems: prepared.problems,
    },
    stale,
  };
}

/**
 * The statements that replace the source's services and the directory's settings, to run as
 * one batch. `chunkChars` bounds each statement's JSON: a bound parameter (D1: 2 MB a string)
 * or, written into a SQL file for `wrangler d1 execute`, the statement itself (D1: 100 kB).
 */
export function importStatements(
  prepared: PreparedDirectory,
  stale: readonly string[],
  now: Date,
  chunkChars = CHUNK_CHARS,
): SqlStatement[] {
  const at = sqlDate(now);
  const rows = prepared.services.map((s) => JSON.stringify(rowOf(s)));
  const ids = stale.map((id) => JSON.stringify(id));
  return [
    ...jsonChunks(rows, chunkChars).map((chunk) => ({ sql: UPSERT, params: [prepared.source, at, chunk] })),
    ...jsonChunks(ids, chunkChars).map((chunk) => ({
      sql: `DELETE FROM "services" WHERE "source" = ? AND "id" IN (SELECT value FROM json_each(?))`,
      params: [prepared.source, chunk],
    })),
    {
      sql: `INSERT INTO "directory_settings" ("key", "value", "updated_at") VALUES (?, ?, ?)
ON CONFLICT("key") DO UPDATE SET "value" = excluded."value", "updated_at" = excluded."updated_at"`,
      params: [SETTINGS_KEY, JSON.stringify(prepared.settings), at],
    },
  ];
}

export class PrismaDirectoryStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: SqlPort,
  ) {}

  private held(): Promise<HeldServices> {
    return this.sql.all<{ id: string; source: string }>(`SELECT "id", "source" FROM "services"`);
  }

  /** What importing the directory would do, writing nothing (the dashboard's dry run). */
  async plan(prepared: PreparedDirectory): Promise<DirectoryImportReport> {
    return planImport(prepared, await this.held()).report;
  }

  /** Replaces the source's services and the directory's settings, all or nothing. */
  async replaceSource(prepared: PreparedDirectory, now: Date): Promise<DirectoryImportReport> {
    const { report, stale } = planImport(prepared, await this.held());
    await this.sql.batch(importStatements(prepared, stale, now));
    return report;
  }

  async all(): Promise<DirectoryService[]> {
    const rows = await this.prisma.service.findMany({ orderBy: { id: "asc" } });
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      summary: r.summary,
      ...(r.organisation ? { organisation: r.organisation } : {}),
      ...(r.url ? { url: r.url } : {}),
      ...(r.email ? { email: r.email } : {}),
      phones: JSON.parse(r.phones) as string[],
      terms: JSON.parse(r.terms) as DirectoryService["terms"],
      themes: JSON.parse(r.themes) as ThemeId[],
      coverage: JSON.parse(r.coverage) as string[],
      national: r.national,
      locations: JSON.parse(r.locations) as DirectoryService["locations"],
      hours: JSON.parse(r.hours) as DirectoryService["hours"],
      crisis: JSON.parse(r.crisis) as string[],
    }));
  }

  /** Each source's services and when it was last imported, for the operator's page. */
  async sources(): Promise<{ source: string; services: number; importedAt: Date | null }[]> {
    const groups = await this.prisma.service.groupBy({
      by: ["source"],
      _count: { _all: true },
      _max: { updatedAt: true },
      orderBy: { source: "asc" },
    });
    return groups.map((g) => ({ source: g.source, services: g._count._all, importedAt: g._max.updatedAt }));
  }

  async count(): Promise<number> {
    return this.prisma.service.count();
  }

  async settings(): Promise<DirectorySettings> {
    const row = await this.prisma.directorySetting.findUnique({ where: { key: SETTINGS_KEY } });
    return row ? { ...EMPTY_SETTINGS, ...(JSON.parse(row.value) as Partial<DirectorySettings>) } : EMPTY_SETTINGS;
  }

  /** Changes whenever the directory does: a cheap check for reloading the in-memory index. */
  async version(): Promise<string> {
    const [latest, settings, count] = await Promise.all([
      this.prisma.service.findFirst({ orderBy: { updatedAt: "desc" }, select: { updatedAt: true } }),
      this.prisma.directorySetting.findUnique({ where: { key: SETTINGS_KEY }, select: { updatedAt: true } }),
      this.prisma.service.count(),
    ]);
    return `${count}:${latest?.updatedAt.toISOString() ?? ""}:${settings?.updatedAt.toISOString() ?? ""}`;
  }
}
