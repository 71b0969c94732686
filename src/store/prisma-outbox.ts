// The outbox on Prisma: messages wait here until a channel confirms it sent them. Claiming a
// row is a compare-and-set on (status, next_attempt_at), so two workers never send one row;
// a worker that dies mid-send leaves a lease that expires, and the row is tried again.
import type { PrismaClient } from "../generated/prisma/client.js";

export interface OutboxRow {
  readonly id: string;
  readonly contactId: string;
  readonly channel: string;
  readonly payload: unknown;
  readonly attempts: number;
  readonly idempotencyKey: string;
  readonly kind: string;
}

export interface SendTarget {
  readonly addressEnc: string;
  readonly status: "active" | "stopped";
  readonly language: string;
}

/** Forward-only order of platform delivery states; a late "sent" never overwrites "delivered". */
const DELIVERY_RANK: Readonly<Record<string, number>> = {
  accepted: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  undelivered: 4,
  failed: 4,
  delivered: 5,
  read: 6,
};

/** Whether a receipt saying `next` moves a message on from `current` (receipts arrive out of order). */
export function deliveryMovesForward(current: string | null, next: string): boolean {
  const rank = DELIVERY_RANK[next];
  return rank !== undefined && rank > (current ? (DELIVERY_RANK[current] ?? -1) : -1);
}

export interface OutboxStore {
  claimDue(now: Date, limit: number, leaseMs: number): Promise<OutboxRow[]>;
  markSent(id: string, providerId: string | undefined, now: Date): Promise<void>;
  reschedule(id: string, attempts: number, error: string, nextAttemptAt: Date): Promise<void>;
  markDead(id: string, attempts: number, error: string): Promise<void>;
  target(contactId: string): Promise<SendTarget | null>;
  stopContact(contactId: string, now: Date): Promise<void>;
  /** Applies a delivery receipt; returns the contact it concerns, or null if unknown or not a step forward. */
  recordDelivery(providerId: string, status: string): Promise<string | null>;
  counts(): Promise<Record<string, number>>;
}

export class PrismaOutboxStore implements OutboxStore {
  constructor(private readonly prisma: PrismaClient) {}

  async claimDue(now: Date, limit: number, leaseMs: number): Promise<OutboxRow[]> {
    const due = await this.prisma.outboxMessage.findMany({
      where: { status: { in: ["pending", "sending"] }, nextAttemptAt: { lte: now } },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: limit,
    });
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const claimed: OutboxRow[] = [];
    for (const row of due) {
      const won = await this.prisma.outboxMessage.updateMany({
        where: { id: row.id, status: row.status, nextAttemptAt: row.nextAttemptAt },
        data: { status: "sending", nextAttemptAt: leaseUntil },
      });
      if (won.count === 1) {
        claimed.push({
          id: row.id,
          contactId: row.contactId,
          channel: row.channel,
          payload: JSON.parse(row.payload),
          attempts: row.attempts,
          idempotencyKey: row.idempotencyKey,
          kind: row.kind,
        });
      }
    }
    return claimed;
  }

  async markSent(id: string, providerId: string | undefined, now: Date): Promise<void> {
    await this.prisma.outboxMessage.update({
      where: { id },
      data: {
        status: "sent",
        sentAt: now,
        providerId: providerId ?? null,
        attempts: { increment: 1 },
        lastError: null,
      },
    });
  }

  async reschedule(id: string, attempts: number, error: string, nextAttemptAt: Date): Promise<void> {
    await this.prisma.outboxMessage.update({
      where: { id },
      data: { status: "pending", attempts, lastError: error.slice(0, 500), nextAttemptAt },
    });
  }

  async markDead(id: string, attempts: number, error: string): Promise<void> {
    await this.prisma.outboxMessage.update({
      where: { id },
      data: { status: "dead", attempts, lastError: error.slice(0, 500) },
    });
  }

  async target(contactId: string): Promise<SendTarget | null> {
    const c = await this.prisma.contact.findUnique({
      where: { id: contactId },
      select: { addressEnc: true, status: true, language: true },
    });
    return c
      ? { addressEnc: c.addressEnc, status: c.status === "stopped" ? "stopped" : "active", language: c.language }
      : null;
  }

  async stopContact(contactId: string, now: Date): Promise<void> {
    await this.prisma.contact.updateMany({
      where: { id: contactId, status: "active" },
      data: { status: "stopped", stoppedAt: now },
    });
  }

  async recordDelivery(providerId: string, status: string): Promise<string | null> {
    const row = await this.prisma.outboxMessage.findFirst({
      where: { providerId },
      select: { id: true, contactId: true, deliveryStatus: true },
    });
    if (!row) return null;
    if (!deliveryMovesForward(row.deliveryStatus, status)) return row.contactId;
    await this.prisma.outboxMessage.updateMany({
      where: { id: row.id, deliveryStatus: row.deliveryStatus },
      data: { deliveryStatus: status },
    });
    return row.contactId;
  }

  async counts(): Promise<Record<string, number>> {
    const groups = await this.prisma.outboxMessage.groupBy({ by: ["status"], _count: { _all: true } });
    return Object.fromEntries(groups.map((g) => [g.status, g._count._all]));
  }

  /** Dead letters, newest first: ids, channel, kind, attempts and the last error; never the message or address. */
  async deadLetters(limit = 50): Promise<DeadLetter[]> {
    const rows = await this.prisma.outboxMessage.findMany({
      where: { status: "dead" },
      orderBy: { createdAt: "desc" },
      take: limit,
      select: { id: true, channel: true, kind: true, attempts: true, lastError: true, createdAt: true },
    });
    return rows.map((r) => ({ ...r, lastError: r.lastError ?? null }));
  }

  /** Puts a dead letter (or all of them) back in the queue; how many were. */
  async retryDead(target: { id: string } | "all", now: Date): Promise<number> {
    const where = target === "all" ? { status: "dead" } : { id: target.id, status: "dead" };
    const updated = await this.prisma.outboxMessage.updateMany({
      where,
      data: { status: "pending", attempts: 0, nextAttemptAt: now },
    });
    return updated.count;
  }
}

export interface DeadLetter {
  readonly id: string;
  readonly channel: string;
  readonly kind: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: Date;
}
