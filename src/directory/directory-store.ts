// The services directory on Prisma. Import replaces one source's services in one transaction
// (upsert by the source's own ids, then remove what the source no longer lists), so
// re-importing updates and never duplicates.
import type { DirectorySettings } from "./settings.js";
import { EMPTY_SETTINGS } from "./settings.js";
import type { ThemeId } from "./themes.js";
import type { DirectoryService } from "./types.js";
import type { PrismaClient } from "../generated/prisma/client.js";

export interface ImportCounts {
  readonly added: number;
  readonly updated: number;
  readonly removed: number;
}

const SETTINGS_KEY = "settings";
const BATCH = 500;

export class PrismaDirectoryStore {
  constructor(private readonly prisma: PrismaClient) {}

  async replaceSource(
    source: string,
    services: readonly DirectoryService[],
    now: Date,
    onProgress?: (done: number) => void,
  ): Promise<ImportCounts> {
    const existing = new Set(
      (await this.prisma.service.findMany({ where: { source }, select: { id: true } })).map((s) => s.id),
    );
    const other = new Set(
      (await this.prisma.service.findMany({ where: { source: { not: source } }, select: { id: true } })).map(
        (s) => s.id,
      ),
    );
    const incoming = new Set(services.map((s) => s.id));
    let added = 0;
    let updated = 0;
    await this.prisma.$transaction(
      async (tx) => {
        for (let i = 0; i < services.length; i += BATCH) {
          const batch = services.slice(i, i + BATCH).filter((s) => !other.has(s.id));
          const rows = batch.map((s) => ({
            id: s.id,
            name: s.name,
            summary: s.summary,
            organisation: s.organisation ?? null,
            url: s.url ?? null,
            email: s.email ?? null,
            phones: JSON.stringify(s.phones),
            terms: JSON.stringify(s.terms),
            themes: JSON.stringify(s.themes),
            coverage: JSON.stringify(s.coverage),
            national: s.national,
            locations: JSON.stringify(s.locations),
            hours: JSON.stringify(s.hours),
            crisis: JSON.stringify(s.crisis),
            source,
            updatedAt: now,
          }));
          const fresh = rows.filter((r) => !existing.has(r.id));
          if (fresh.length > 0) await tx.service.createMany({ data: fresh });
          for (const row of rows.filter((r) => existing.has(r.id)))
            await tx.service.update({ where: { id: row.id }, data: row });
          added += fresh.length;
          updated += rows.length - fresh.length;
          onProgress?.(Math.min(i + BATCH, services.length));
        }
        const stale = [...existing].filter((id) => !incoming.has(id));
        if (stale.length > 0) await tx.service.deleteMany({ where: { id: { in: stale } } });
      },
      { timeout: 120_000, maxWait: 10_000 },
    );
    return { added, updated, removed: [...existing].filter((id) => !incoming.has(id)).length };
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

  async count(): Promise<number> {
    return this.prisma.service.count();
  }

  async settings(): Promise<DirectorySettings> {
    const row = await this.prisma.directorySetting.findUnique({ where: { key: SETTINGS_KEY } });
    return row ? { ...EMPTY_SETTINGS, ...(JSON.parse(row.value) as Partial<DirectorySettings>) } : EMPTY_SETTINGS;
  }

  async saveSettings(settings: DirectorySettings, now: Date): Promise<void> {
    const value = JSON.stringify(settings);
    await this.prisma.directorySetting.upsert({
      where: { key: SETTINGS_KEY },
      create: { key: SETTINGS_KEY, value, updatedAt: now },
      update: { value, updatedAt: now },
    });
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
