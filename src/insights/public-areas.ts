// Which areas' results are public. Nothing is public until an operator publishes an area; the
// public pages (src/web/public-results.ts) show only these, through the disclosure gate at the
// public threshold (PUBLIC_K_THRESHOLD, never lower than K_THRESHOLD).
import type { Clock } from "../clock.js";
import type { PrismaClient } from "../generated/prisma/client.js";

export interface PublicArea {
  readonly area: string;
  readonly publishedAt: Date;
}

export class PublicAreas {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: Clock,
  ) {}

  /** Published areas in code order. */
  async list(): Promise<PublicArea[]> {
    const rows = await this.prisma.publicArea.findMany({ orderBy: { area: "asc" } });
    return rows.map((r) => ({ area: r.area, publishedAt: r.publishedAt }));
  }

  async isPublic(area: string): Promise<boolean> {
    return (await this.prisma.publicArea.findUnique({ where: { area }, select: { area: true } })) !== null;
  }

  /** Makes an area's results public (again: the date is kept from the first time). */
  async publish(area: string, by: string): Promise<void> {
    await this.prisma.publicArea.upsert({
      where: { area },
      create: { area, publishedBy: by, publishedAt: this.now() },
      update: {},
    });
  }

  /** Takes an area's results off the public pages; false if they were not public. */
  async withdraw(area: string): Promise<boolean> {
    return (await this.prisma.publicArea.deleteMany({ where: { area } })).count > 0;
  }
}
