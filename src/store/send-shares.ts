// One rate budget per channel, whoever sends. The platforms' limits are per bot and per
// account, but more than one process may send from one database: the server, the CLI's
// `broadcast --send`, a second server. Each process that sends registers in send_shares and
// renews its row every second; every sender counts the rows seen in the last few seconds and
// paces at its share of each limit (limit ÷ senders), so together they never exceed it.
//
// Safe in both directions: a sender that joins waits until every other sender has counted it
// (three renewals) before its first send, so nobody runs at the old, larger share once it
// sends; a sender that leaves deletes its row once its last sends are out of the platform's
// window, and one that dies is forgotten only after its row has gone stale, so the others widen
// their share only once its sends no longer count.
import type { SqlPort } from "./sql-port.js";
import { runOne } from "./sql-port.js";
import { sqlDate } from "./step-statements.js";

/** The platforms count sends in one-second windows; a little more absorbs the clocks' difference. */
const LAST_WINDOW_MS = 1100;

export interface SendSharesOptions {
  /** How often a sender renews its row and recounts the others (ms). */
  readonly renewMs?: number;
  /** A row not renewed for this long is a sender that has gone (ms). */
  readonly staleMs?: number;
  /** Wall-clock time in ms (not the business clock: pacing is about real seconds). */
  readonly wallClock?: () => number;
}

export class SendShares {
  private readonly renewMs: number;
  private readonly staleMs: number;
  private readonly wallClock: () => number;
  private joining: Promise<void> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private live = 1;
  private lastSendAt = -Infinity;
  private readonly listeners = new Set<(senders: number) => void>();

  constructor(
    private readonly sql: SqlPort,
    private readonly id: string,
    options: SendSharesOptions = {},
  ) {
    this.renewMs = options.renewMs ?? 1000;
    this.staleMs = options.staleMs ?? 5000;
    this.wallClock = options.wallClock ?? Date.now;
  }

  /** Senders sharing the budget, this one included, as last counted. */
  get senders(): number {
    return this.live;
  }

  /** Calls `listener` with the number of senders whenever it changes. */
  onChange(listener: (senders: number) => void): void {
    this.listeners.add(listener);
  }

  /** Registers this process as a sender (once); resolves when it may send at its share. */
  join(): Promise<void> {
    this.joining ??= (async () => {
      const now = sqlDate(new Date(this.wallClock()));
      await runOne(
        this.sql,
        `INSERT INTO "send_shares" ("id", "joined_at", "seen_at") VALUES (?, ?, ?) ON CONFLICT ("id") DO UPDATE SET "seen_at" = excluded."seen_at"`,
        this.id,
        now,
        now,
      );
      const others = await this.count();
      this.timer = setInterval(() => void this.renew().catch(() => undefined), this.renewMs);
      this.timer.unref?.();
      // Others recount on their next renewal and then let their sends of the last second age
      // out: wait for three renewals before sending beside them.
      if (others > 1) await new Promise((resolve) => setTimeout(resolve, 3 * this.renewMs));
    })();
    return this.joining;
  }

  /** Notes that a send was answered just now (it counts at the platform for a second more). */
  sent(): void {
    this.lastSendAt = this.wallClock();
  }

  /**
   * Stops sending: removes this process's row, so the others take its share — once its last
   * send has left the platform's one-second window, when others are sending.
   */
  async leave(): Promise<void> {
    if (!this.joining) return;
    await this.joining.catch(() => undefined);
    const wait = this.lastSendAt + LAST_WINDOW_MS - this.wallClock();
    if (this.live > 1 && wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.joining = undefined;
    await runOne(this.sql, `DELETE FROM "send_shares" WHERE "id" = ?`, this.id);
  }

  private async renew(): Promise<void> {
    const now = this.wallClock();
    const renewed = await runOne(
      this.sql,
      `UPDATE "send_shares" SET "seen_at" = ? WHERE "id" = ?`,
      sqlDate(new Date(now)),
      this.id,
    );
    if (renewed === 0 && this.timer) {
      // Another sender took this one for gone (it did not renew in time) and widened its share:
      // join again, and wait until the others count it before the next send.
      clearInterval(this.timer);
      this.timer = undefined;
      this.joining = undefined;
      await this.join();
      return;
    }
    await runOne(this.sql, `DELETE FROM "send_shares" WHERE "seen_at" < ?`, sqlDate(new Date(now - this.staleMs)));
    await this.count();
  }

  /** Counts the live senders (at least this one) and tells the listeners if the number changed. */
  private async count(): Promise<number> {
    const since = sqlDate(new Date(this.wallClock() - this.staleMs));
    const row = await this.sql.get<{ n: number }>(
      `SELECT count(*) AS n FROM "send_shares" WHERE "seen_at" >= ? OR "id" = ?`,
      since,
      this.id,
    );
    const live = Math.max(1, Number(row?.n ?? 1));
    if (live !== this.live) {
      this.live = live;
      for (const listener of this.listeners) listener(live);
    }
    return live;
  }
}
