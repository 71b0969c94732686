// One rate budget per channel, whoever sends. The platforms' limits are per bot and per
// account, but more than one process may send from one database: the server, the CLI's
// `broadcast --send`, a second server. Each process that sends registers in send_shares and
// counts up its row's beat every second; every sender counts the rows whose beat it has seen
// move within the last few seconds (by its own clock: no two processes' clocks are compared)
// and paces at its share of each limit (limit ÷ senders), so together they never exceed it.
//
// Safe in both directions: a sender that joins waits until every other sender has counted it
// (three beats) before its first send, so nobody runs at the old, larger share once it sends;
// a sender that leaves deletes its row once its last sends are out of the platform's window,
// and one that dies is forgotten only after its beat has stood still for a while, so the
// others widen their share only once its sends no longer count.
import type { SqlPort } from "./sql-port.js";
import { runOne } from "./sql-port.js";

/** The platforms count sends in one-second windows; a little more absorbs the clocks' difference. */
const LAST_WINDOW_MS = 1100;

export interface SendSharesOptions {
  /** How often a sender beats and recounts the others (ms). */
  readonly beatMs?: number;
  /** A row whose beat has not moved for this long is a sender that has gone (ms). */
  readonly staleMs?: number;
  /** This process's clock in ms, for timing beats (pacing is about real seconds, not the business clock). */
  readonly wallClock?: () => number;
}

export class SendShares {
  private readonly beatMs: number;
  private readonly staleMs: number;
  private readonly wallClock: () => number;
  private joining: Promise<void> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private live = 1;
  private lastSendAt = -Infinity;
  /** Each other sender's beat as last read, and when (by this process's clock) it was seen to move. */
  private readonly seen = new Map<string, { beat: number; movedAt: number }>();
  private readonly listeners = new Set<(senders: number) => void>();

  constructor(
    private readonly sql: SqlPort,
    private readonly id: string,
    options: SendSharesOptions = {},
  ) {
    this.beatMs = options.beatMs ?? 1000;
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
      await runOne(
        this.sql,
        `INSERT INTO "send_shares" ("id", "beat") VALUES (?, 0) ON CONFLICT ("id") DO UPDATE SET "beat" = "beat" + 1`,
        this.id,
      );
      const senders = await this.count();
      this.timer = setInterval(() => void this.beat().catch(() => undefined), this.beatMs);
      this.timer.unref?.();
      // Others recount on their next beat and then let their sends of the last second age out:
      // wait for three beats before sending beside them.
      if (senders > 1) await new Promise((resolve) => setTimeout(resolve, 3 * this.beatMs));
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

  private async beat(): Promise<void> {
    const beaten = await runOne(this.sql, `UPDATE "send_shares" SET "beat" = "beat" + 1 WHERE "id" = ?`, this.id);
    if (beaten === 0 && this.timer) {
      // Another sender took this one for gone (its beat stood still too long) and widened its
      // share: join again, and wait until the others count it before the next send.
      clearInterval(this.timer);
      this.timer = undefined;
      this.joining = undefined;
      await this.join();
      return;
    }
    await this.count();
  }

  /** Counts the live senders (this one, and those whose beat moved lately), forgets the gone, and tells the listeners of a change. */
  private async count(): Promise<number> {
    const now = this.wallClock();
    const rows = await this.sql.all<{ id: string; beat: number }>(`SELECT "id", "beat" FROM "send_shares"`);
    let live = 1;
    const present = new Set<string>();
    for (const row of rows) {
      if (row.id === this.id) continue;
      present.add(row.id);
      const before = this.seen.get(row.id);
      if (!before || before.beat !== Number(row.beat)) this.seen.set(row.id, { beat: Number(row.beat), movedAt: now });
      const { movedAt } = this.seen.get(row.id)!;
      if (now - movedAt <= this.staleMs) live++;
      else {
        // Gone: its beat has stood still for longer than any live sender's would.
        await runOne(this.sql, `DELETE FROM "send_shares" WHERE "id" = ? AND "beat" = ?`, row.id, row.beat);
        this.seen.delete(row.id);
      }
    }
    for (const id of this.seen.keys()) if (!present.has(id)) this.seen.delete(id);
    if (live !== this.live) {
      this.live = live;
      for (const listener of this.listeners) listener(live);
    }
    return live;
  }
}
