// The outbox: messages wait here until a channel confirms it sent them, the same on both
// runtimes. Claiming, marking and delivery receipts, which run for every message sent, go over
// the SQL port (sql-port.ts); the operator's views (counts, dead letters, retry) use Prisma.
//
// A claim is one UPDATE … RETURNING over the due rows, so it is atomic on SQLite and on D1 alike:
// two workers (or two processes sharing the file) never send one row. A worker that dies
// mid-send leaves a lease that expires, and the row is tried again.
import type { PrismaClient } from "../generated/prisma/client.js";
import { runOne, type SqlPort } from "./sql-port.js";
import { sqlDate } from "./step-statements.js";
import { readSqlDate } from "./turn.js";

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

export interface DeadLetter {
  readonly id: string;
  readonly channel: string;
  readonly kind: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: Date;
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

/** What the dispatcher and the channels need of the outbox. */
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

interface ClaimedRow {
  id: string;
  contact_id: string;
  channel: string;
  payload: string;
  attempts: number;
  idempotency_key: string;
  kind: string;
  created_at: string;
}

const CLAIM = `UPDATE "outbox" SET "status" = 'sending', "next_attempt_at" = ? WHERE "id" IN (SELECT "id" FROM "outbox" WHERE "status" IN ('pending', 'sending') AND "next_attempt_at" <= ? ORDER BY "created_at" ASC, "id" ASC LIMIT ?) RETURNING "id", "contact_id", "channel", "payload", "attempts", "idempotency_key", "kind", "created_at"`;
const SENT = `UPDATE "outbox" SET "status" = 'sent', "sent_at" = ?, "provider_id" = ?, "attempts" = "attempts" + 1, "last_error" = NULL WHERE "id" = ?`;
// A cancelled message stays cancelled, even when a sender whose lease had run out fails it late.
const RESCHEDULE = `UPDATE "outbox" SET "status" = 'pending', "attempts" = ?, "last_error" = ?, "next_attempt_at" = ? WHERE "id" = ? AND "status" <> 'cancelled'`;
const DEAD = `UPDATE "outbox" SET "status" = 'dead', "attempts" = ?, "last_error" = ? WHERE "id" = ?`;
const TARGET = `SELECT "address_enc", "status", "language" FROM "contacts" WHERE "id" = ?`;
const STOP = `UPDATE "contacts" SET "status" = 'stopped', "stopped_at" = ?, "updated_at" = ? WHERE "id" = ? AND "status" = 'active'`;
const BY_PROVIDER = `SELECT "id", "contact_id", "delivery_status" FROM "outbox" WHERE "provider_id" = ? LIMIT 1`;
const DELIVERED = `UPDATE "outbox" SET "delivery_status" = ? WHERE "id" = ? AND "delivery_status" IS ?`;

/** A broadcast's messages: their idempotency keys start `broadcast:<id>:` (conversation/broadcast.ts), a range on the unique index. */
const BROADCAST_RANGE = `"idempotency_key" >= ? AND "idempotency_key" < ?`;
const broadcastRange = (id: string): [string, string] => [`broadcast:${id}:`, `broadcast:${id};`];
/** Not yet with the platform: waiting, or claimed by a sender whose lease has run out. */
const UNSENT = `("status" = 'pending' OR ("status" = 'sending' AND "next_attempt_at" <= ?))`;
const BROADCAST_PROGRESS = `SELECT "status", COUNT(*) AS "residents", COALESCE(SUM("record_key"), 0) AS "keySum" FROM (SELECT DISTINCT o."status", o."contact_id", c."record_key" FROM "outbox" AS o JOIN "contacts" AS c ON c."id" = o."contact_id" WHERE o.${BROADCAST_RANGE}) GROUP BY "status"`;
// The conversation a cancelled broadcast started for a resident it never reached is ended too,
// or their next message would answer a question they never got, and reminders would ask it again.
// Only a session nobody has moved since the broadcast queued it (updated_at) is ended.
const CANCEL_SESSIONS = `DELETE FROM "sessions" WHERE "contact_id" IN (SELECT "contact_id" FROM "outbox" WHERE ${BROADCAST_RANGE} AND ${UNSENT}) AND "contact_id" NOT IN (SELECT "contact_id" FROM "outbox" WHERE ${BROADCAST_RANGE} AND NOT ${UNSENT}) AND "updated_at" <= (SELECT MIN(o."created_at") FROM "outbox" AS o WHERE o."contact_id" = "sessions"."contact_id" AND o.${BROADCAST_RANGE})`;
const CANCEL_MESSAGES = `UPDATE "outbox" SET "status" = 'cancelled', "last_error" = 'cancelled by an operator' WHERE ${BROADCAST_RANGE} AND ${UNSENT}`;

/** One state of a broadcast's messages: how many residents have a message in it, and their record keys' sum (for the disclosure gate). */
export interface BroadcastTally {
  readonly status: string;
  readonly residents: number;
  readonly keySum: number;
}

export class SqlOutboxStore implements OutboxStore {
  constructor(
    private readonly sql: SqlPort,
    private readonly prisma: PrismaClient,
  ) {}

  async claimDue(now: Date, limit: number, leaseMs: number): Promise<OutboxRow[]> {
    const leaseUntil = sqlDate(new Date(now.getTime() + leaseMs));
    const [claim] = await this.sql.batch([{ sql: CLAIM, params: [leaseUntil, sqlDate(now), limit] }]);
    // RETURNING gives rows in no set order: oldest first, as they were chosen.
    return [...(claim!.rows as unknown as ClaimedRow[])]
      .sort(
        (a, b) => readSqlDate(a.created_at).getTime() - readSqlDate(b.created_at).getTime() || (a.id < b.id ? -1 : 1),
      )
      .map((row) => ({
        id: row.id,
        contactId: row.contact_id,
        channel: row.channel,
        payload: JSON.parse(row.payload),
        attempts: row.attempts,
        idempotencyKey: row.idempotency_key,
        kind: row.kind,
      }));
  }

  async markSent(id: string, providerId: string | undefined, now: Date): Promise<void> {
    await runOne(this.sql, SENT, sqlDate(now), providerId ?? null, id);
  }

  async reschedule(id: string, attempts: number, error: string, nextAttemptAt: Date): Promise<void> {
    await runOne(this.sql, RESCHEDULE, attempts, error.slice(0, 500), sqlDate(nextAttemptAt), id);
  }

  async markDead(id: string, attempts: number, error: string): Promise<void> {
    await runOne(this.sql, DEAD, attempts, error.slice(0, 500), id);
  }

  async target(contactId: string): Promise<SendTarget | null> {
    const c = await this.sql.get<{ address_enc: string; status: string; language: string }>(TARGET, contactId);
    return c
      ? { addressEnc: c.address_enc, status: c.status === "stopped" ? "stopped" : "active", language: c.language }
      : null;
  }

  async stopContact(contactId: string, now: Date): Promise<void> {
    await runOne(this.sql, STOP, sqlDate(now), sqlDate(now), contactId);
  }

  async recordDelivery(providerId: string, status: string): Promise<string | null> {
    const row = await this.sql.get<{ id: string; contact_id: string; delivery_status: string | null }>(
      BY_PROVIDER,
      providerId,
    );
    if (!row) return null;
    // Compare-and-set: a receipt that moved it on meanwhile is not overwritten.
    if (deliveryMovesForward(row.delivery_status, status))
      await runOne(this.sql, DELIVERED, status, row.id, row.delivery_status);
    return row.contact_id;
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

  /** Residents per state of a broadcast's messages (pending, sending, sent, dead, cancelled): true counts, for the gate. */
  async broadcastProgress(id: string): Promise<BroadcastTally[]> {
    const rows = await this.sql.all<{ status: string; residents: number; keySum: number }>(
      BROADCAST_PROGRESS,
      ...broadcastRange(id),
    );
    return rows.map((r) => ({ status: r.status, residents: Number(r.residents), keySum: Number(r.keySum) }));
  }

  /**
   * Cancels what a broadcast has not yet handed to a platform, in one batch: those messages are
   * marked cancelled (never claimed again) and the conversations it started for residents it
   * never reached are ended. A message a sender holds a live lease on is already on its way.
   * Returns how many messages were cancelled.
   */
  async cancelBroadcast(id: string, now: Date): Promise<number> {
    const range = broadcastRange(id);
    const at = sqlDate(now);
    const [, cancelled] = await this.sql.batch([
      { sql: CANCEL_SESSIONS, params: [...range, at, ...range, at, ...range] },
      { sql: CANCEL_MESSAGES, params: [...range, at] },
    ]);
    return cancelled!.changes;
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
