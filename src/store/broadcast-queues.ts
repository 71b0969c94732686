// Broadcasts still being queued a page at a time (Workers: one invocation may make only so many
// D1 queries), and where each one's next page starts. The cursor moves only from where a run
// found it, so a page run twice, or a broadcast cancelled while a page was queued, is noticed.
import type { PrismaClient } from "../generated/prisma/client.js";
import type { Clock } from "../clock.js";

/** A broadcast as the dashboard started it. */
export interface BroadcastPlan {
  readonly id: string;
  readonly flowId: string;
  /** Postcode districts; none: every area. */
  readonly areas: readonly string[];
  readonly channel?: string;
}

/** Where the next page starts: which of the plan's areas, after which contact id (ids in order). */
export interface BroadcastCursor {
  readonly areaIndex: number;
  readonly afterId?: string;
}

export class BroadcastQueues {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: Clock,
  ) {}

  /** Keeps a broadcast's remaining pages; a second start of the same id changes nothing. */
  async add(plan: BroadcastPlan, cursor: BroadcastCursor): Promise<void> {
    await this.prisma.broadcastQueue.upsert({
      where: { id: plan.id },
      create: {
        id: plan.id,
        flowId: plan.flowId,
        areas: JSON.stringify(plan.areas),
        channel: plan.channel ?? null,
        areaIndex: cursor.areaIndex,
        afterId: cursor.afterId ?? null,
        createdAt: this.now(),
      },
      update: {},
    });
  }

  /** A broadcast still being queued and where its next page starts, or undefined (all queued, or cancelled). */
  async next(id: string): Promise<{ plan: BroadcastPlan; cursor: BroadcastCursor } | undefined> {
    const row = await this.prisma.broadcastQueue.findUnique({ where: { id } });
    if (!row) return undefined;
    return {
      plan: {
        id: row.id,
        flowId: row.flowId,
        areas: JSON.parse(row.areas) as string[],
        ...(row.channel ? { channel: row.channel } : {}),
      },
      cursor: { areaIndex: row.areaIndex, ...(row.afterId ? { afterId: row.afterId } : {}) },
    };
  }

  /** Broadcasts with pages left, oldest first. */
  async pending(limit: number): Promise<string[]> {
    const rows = await this.prisma.broadcastQueue.findMany({
      select: { id: true },
      orderBy: { createdAt: "asc" },
      take: limit,
    });
    return rows.map((r) => r.id);
  }

  /** Moves the cursor on (undefined: every page queued) if it is still at `from`; false if it was not (cancelled meanwhile). */
  async advance(id: string, from: BroadcastCursor, to: BroadcastCursor | undefined): Promise<boolean> {
    const where = { id, areaIndex: from.areaIndex, afterId: from.afterId ?? null };
    const changed = to
      ? await this.prisma.broadcastQueue.updateMany({
          where,
          data: { areaIndex: to.areaIndex, afterId: to.afterId ?? null },
        })
      : await this.prisma.broadcastQueue.deleteMany({ where });
    return changed.count === 1;
  }

  /** Queues no more pages of a broadcast (it was cancelled). */
  async forget(id: string): Promise<void> {
    await this.prisma.broadcastQueue.deleteMany({ where: { id } });
  }
}
