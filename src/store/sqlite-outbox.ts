// The outbox on Node: claiming, marking and delivery receipts, which run for every message
// sent, go straight to SQLite (sqlite-direct.ts); the operator's views stay on Prisma. A claim
// is one IMMEDIATE transaction, and still a compare-and-set on (status, next_attempt_at), so a
// second process sharing the file never sends a row this one claimed.
import type { PrismaClient } from "../generated/prisma/client.js";
import { deliveryMovesForward, PrismaOutboxStore, type OutboxRow, type SendTarget } from "./prisma-outbox.js";
import type { SqliteConnection } from "./sqlite-direct.js";
import { sqlDate } from "./step-statements.js";

interface Row {
  id: string;
  contact_id: string;
  channel: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  idempotency_key: string;
  kind: string;
}

const DUE = `SELECT "id", "contact_id", "channel", "payload", "status", "attempts", "next_attempt_at", "idempotency_key", "kind" FROM "outbox" WHERE "status" IN ('pending', 'sending') AND "next_attempt_at" <= ?`;
const DUE_FIRST = `${DUE} ORDER BY "created_at" ASC, "id" ASC LIMIT ?`;
const CLAIM = `UPDATE "outbox" SET "status" = 'sending', "next_attempt_at" = ? WHERE "id" = ? AND "status" = ? AND "next_attempt_at" = ?`;
const SENT = `UPDATE "outbox" SET "status" = 'sent', "sent_at" = ?, "provider_id" = ?, "attempts" = "attempts" + 1, "last_error" = NULL WHERE "id" = ?`;
const RESCHEDULE = `UPDATE "outbox" SET "status" = 'pending', "attempts" = ?, "last_error" = ?, "next_attempt_at" = ? WHERE "id" = ?`;
const DEAD = `UPDATE "outbox" SET "status" = 'dead', "attempts" = ?, "last_error" = ? WHERE "id" = ?`;
const TARGET = `SELECT "address_enc", "status", "language" FROM "contacts" WHERE "id" = ?`;
const STOP = `UPDATE "contacts" SET "status" = 'stopped', "stopped_at" = ?, "updated_at" = ? WHERE "id" = ? AND "status" = 'active'`;
const BY_PROVIDER = `SELECT "id", "contact_id", "delivery_status" FROM "outbox" WHERE "provider_id" = ? LIMIT 1`;
const DELIVERED = `UPDATE "outbox" SET "delivery_status" = ? WHERE "id" = ? AND "delivery_status" IS ?`;

export class SqliteOutboxStore extends PrismaOutboxStore {
  constructor(
    prisma: PrismaClient,
    private readonly sqlite: SqliteConnection,
  ) {
    super(prisma);
  }

  override claimDue(now: Date, limit: number, leaseMs: number): Promise<OutboxRow[]> {
    const leaseUntil = sqlDate(new Date(now.getTime() + leaseMs));
    return this.sqlite.transaction(() => {
      const due = this.sqlite.all<Row>(DUE_FIRST, sqlDate(now), limit);
      const claimed: OutboxRow[] = [];
      for (const row of due) {
        if (this.sqlite.run(CLAIM, leaseUntil, row.id, row.status, row.next_attempt_at) !== 1) continue;
        claimed.push({
          id: row.id,
          contactId: row.contact_id,
          channel: row.channel,
          payload: JSON.parse(row.payload),
          attempts: row.attempts,
          idempotencyKey: row.idempotency_key,
          kind: row.kind,
        });
      }
      return claimed;
    });
  }

  override async markSent(id: string, providerId: string | undefined, now: Date): Promise<void> {
    await this.sqlite.transaction(() => this.sqlite.run(SENT, sqlDate(now), providerId ?? null, id));
  }

  override async reschedule(id: string, attempts: number, error: string, nextAttemptAt: Date): Promise<void> {
    await this.sqlite.transaction(() =>
      this.sqlite.run(RESCHEDULE, attempts, error.slice(0, 500), sqlDate(nextAttemptAt), id),
    );
  }

  override async markDead(id: string, attempts: number, error: string): Promise<void> {
    await this.sqlite.transaction(() => this.sqlite.run(DEAD, attempts, error.slice(0, 500), id));
  }

  override target(contactId: string): Promise<SendTarget | null> {
    return this.sqlite.read(() => {
      const c = this.sqlite.get<{ address_enc: string; status: string; language: string }>(TARGET, contactId);
      return c
        ? { addressEnc: c.address_enc, status: c.status === "stopped" ? "stopped" : "active", language: c.language }
        : null;
    });
  }

  override async stopContact(contactId: string, now: Date): Promise<void> {
    await this.sqlite.transaction(() => this.sqlite.run(STOP, sqlDate(now), sqlDate(now), contactId));
  }

  override recordDelivery(providerId: string, status: string): Promise<string | null> {
    return this.sqlite.transaction(() => {
      const row = this.sqlite.get<{ id: string; contact_id: string; delivery_status: string | null }>(
        BY_PROVIDER,
        providerId,
      );
      if (!row) return null;
      if (deliveryMovesForward(row.delivery_status, status))
        this.sqlite.run(DELIVERED, status, row.id, row.delivery_status);
      return row.contact_id;
    });
  }
}
