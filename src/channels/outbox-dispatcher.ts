// Sends what the outbox holds. Replies to a webhook are committed to the outbox claimed, and sent
// straight after the commit (on Node, after the webhook has been answered: `queueClaimed`); if
// that fails, or the process dies first, they stay in the outbox and the polling loop sends them
// once the claim lapses. Everything else is picked up by the polling loop. Each channel has its
// own pacing, which serves replies first, then reminders, then broadcasts and updates; failures
// are retried with exponential backoff and, after the configured number of attempts, left as
// "dead" for the operator to see.
import type { Clock } from "../clock.js";
import { KeyedQueue } from "../conversation/keyed-queue.js";
import type { Logger } from "../log.js";
import { stopwatch, type ServiceMetrics } from "../metrics.js";
import type { AddressCrypto } from "../store/address-crypto.js";
import type { OutboxRow, OutboxStore } from "../store/outbox.js";
import type { SendShares } from "../store/send-shares.js";
import type { NewOutboxMessage } from "../store/types.js";
import { Pacer, type SendPacing, type SendPriority } from "./pacer.js";

/** Which outbox kinds go first when the pacer has a slot: a resident waiting on a reply, then reminders, then the rest. */
export function priorityOf(kind: string): SendPriority {
  if (kind === "reply" || kind === "opt_out_confirmation") return 0;
  if (kind === "reminder") return 1;
  return 2;
}

export type SendResult =
  | { readonly ok: true; readonly providerId?: string }
  | {
      readonly ok: false;
      readonly error: string;
      /** The platform asked us to wait this long (429). */
      readonly retryAfterMs?: number;
      /** Retrying cannot help (bad request). */
      readonly permanent?: boolean;
      /** The person blocked us or opted out at the platform: stop the contact. */
      readonly stopContact?: boolean;
    };

export interface ChannelSender {
  readonly channel: string;
  readonly limits: { readonly perSecond: number; readonly perKeyPerSecond?: number };
  /** Whether this payload counts against the per-recipient limit (a new message does; an edit need not). */
  countsPerRecipient?(payload: unknown): boolean;
  send(payload: unknown, address: string, idempotencyKey: string): Promise<SendResult>;
}

export interface DispatcherOptions {
  readonly store: OutboxStore;
  readonly senders: readonly ChannelSender[];
  readonly addressCrypto: AddressCrypto;
  readonly log: Logger;
  readonly maxAttempts: number;
  readonly now: Clock;
  /** Parallel sends in flight (each still paced). */
  readonly concurrency?: number;
  readonly leaseMs?: number;
  /**
   * Other processes sending from the same database (Node): each channel is paced at this
   * process's share of its limits, so all of them together keep to the platform's.
   */
  readonly shares?: SendShares;
  /** Counts sends, 429s and pacer waits by channel. */
  readonly metrics?: ServiceMetrics;
  /**
   * Where each channel's sends ask for a slot: by default a Pacer of this process's own; on
   * Workers, the channel's pacing Durable Object, shared by every sender.
   */
  readonly pacing?: (sender: ChannelSender) => SendPacing;
}

export interface DispatchReport {
  sent: number;
  retried: number;
  dead: number;
  skipped: number;
}

export function backoffMs(attempt: number): number {
  return Math.min(60 * 60_000, 2_000 * 2 ** (attempt - 1));
}

export class OutboxDispatcher {
  private readonly senders: Map<string, { sender: ChannelSender; pacer: SendPacing }>;
  private readonly perRecipient = new KeyedQueue();
  private readonly inCallOrder = new KeyedQueue();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<unknown> | undefined;
  /** Replies being sent after their webhook was answered. */
  private readonly background = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(private readonly options: DispatcherOptions) {
    const pacing = options.pacing ?? ((s: ChannelSender) => new Pacer(s.limits));
    this.senders = new Map(options.senders.map((s) => [s.channel, { sender: s, pacer: pacing(s) }]));
    options.shares?.onChange((senders) => {
      for (const { sender, pacer } of this.senders.values())
        if (pacer instanceof Pacer)
          pacer.resize({
            perSecond: sender.limits.perSecond / senders,
            ...(sender.limits.perKeyPerSecond ? { perKeyPerSecond: sender.limits.perKeyPerSecond / senders } : {}),
          });
      options.log.info("processes sending from this database changed: each paces at its share of the limits", {
        senders,
      });
    });
  }

  private now(): Date {
    return this.options.now();
  }

  /** How long a claim on a row lasts before another worker may take it over. */
  get leaseMs(): number {
    return this.options.leaseMs ?? 60_000;
  }

  /**
   * Sends rows the caller stored already claimed (NewOutboxMessage.claimedUntil: the replies a
   * webhook just committed) to an address it knows in clear; whatever fails stays queued for the
   * loop. Calls with the same `orderKey` (the contact) send one after the other, in call order,
   * so a later reply never reaches the resident first. Nothing to claim and no ciphertext to
   * open: the loop cannot take these rows while the claim lasts.
   */
  async sendClaimed(messages: readonly NewOutboxMessage[], orderKey: string, address: string): Promise<DispatchReport> {
    if (messages.length === 0) return { sent: 0, retried: 0, dead: 0, skipped: 0 };
    const rows = messages.map((m): OutboxRow => ({
      id: m.id,
      contactId: m.contactId,
      channel: m.channel,
      payload: m.payload,
      attempts: 0,
      idempotencyKey: m.idempotencyKey,
      kind: m.kind ?? "reply",
    }));
    return this.inCallOrder.run(orderKey, () => this.sendAll(rows, address));
  }

  /**
   * Like sendClaimed, but returns at once: the webhook is answered as soon as its step is
   * committed, and the replies follow, in order per resident and paced. The promise settles
   * when they are sent (or left queued); it never rejects.
   */
  queueClaimed(messages: readonly NewOutboxMessage[], orderKey: string, address: string): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    const done: Promise<void> = this.sendClaimed(messages, orderKey, address).then(
      () => undefined,
      (error: Error) => {
        // The rows stay in the outbox, claimed until the lease lapses; the loop sends them then.
        this.options.log.warn("reply send failed; left queued", {
          error: error.name,
          message: error.message.slice(0, 200),
        });
      },
    );
    this.background.add(done);
    void done.finally(() => this.background.delete(done));
    return done;
  }

  /** Resolves once every reply queued with queueClaimed so far has been sent or left queued. */
  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  /** One pass over due messages. */
  async runOnce(limit = 200): Promise<DispatchReport> {
    return this.pass(this.now(), limit);
  }

  private async pass(dueBy: Date, limit: number): Promise<DispatchReport> {
    const rows = await this.options.store.claimDue(dueBy, limit, this.options.leaseMs ?? 60_000);
    return this.sendAll(rows);
  }

  /**
   * Keeps sending until the outbox has nothing due, or until `maxMessages` have been handled (a
   * run that must end within a budget claims no more than it can finish); returns the totals.
   */
  async drain(limit = 200, maxMessages = Number.POSITIVE_INFINITY): Promise<DispatchReport> {
    const total: DispatchReport = { sent: 0, retried: 0, dead: 0, skipped: 0 };
    for (;;) {
      const handled = total.sent + total.retried + total.dead + total.skipped;
      if (handled >= maxMessages) return total;
      const r = await this.runOnce(Math.min(limit, maxMessages - handled));
      total.sent += r.sent;
      total.retried += r.retried;
      total.dead += r.dead;
      total.skipped += r.skipped;
      if (r.sent + r.retried + r.dead + r.skipped === 0) return total;
    }
  }

  /** Polls in the background (Node). */
  start(intervalMs = 1000): void {
    this.stopped = false;
    // The server sends for as long as it runs: take its share now, not on its first reply.
    void this.options.shares
      ?.join()
      .catch((error: Error) => this.options.log.warn("could not register as a sender", { error: error.name }));
    const tick = async () => {
      if (this.stopped) return;
      const pass = this.pass(this.now(), 200).catch((error: Error) => {
        this.options.log.error("outbox pass failed", { error: error.name, message: error.message.slice(0, 200) });
        return undefined;
      });
      this.running = pass;
      const report = await pass;
      // A pass that found work goes straight on to the next batch: waiting between batches
      // would leave a broadcast well below the channel's pacing limit (the pacer, not this
      // loop, keeps the rate). Only an empty or failed pass waits for the interval.
      const busy = report !== undefined && report.sent + report.retried + report.dead + report.skipped > 0;
      if (!this.stopped) this.timer = setTimeout(() => void tick(), busy ? 0 : intervalMs);
    };
    this.timer = setTimeout(() => void tick(), 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.settled();
    await this.options.shares?.leave();
  }

  private async sendAll(rows: readonly OutboxRow[], address?: string): Promise<DispatchReport> {
    const report: DispatchReport = { sent: 0, retried: 0, dead: 0, skipped: 0 };
    const limit = this.options.concurrency ?? 16;
    const inFlight = new Set<Promise<void>>();
    for (const row of rows) {
      // Same recipient: strictly in order. Different recipients: in parallel, paced.
      const task = this.perRecipient.run(row.contactId, () => this.sendOne(row, report, address));
      const tracked: Promise<void> = task.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      if (inFlight.size >= limit) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    return report;
  }

  private async sendOne(row: OutboxRow, report: DispatchReport, knownAddress?: string): Promise<void> {
    const { store, log, metrics } = this.options;
    const labels = { channel: row.channel };
    const channel = this.senders.get(row.channel);
    const target = await store.target(row.contactId);
    const mayReachStopped = row.kind === "opt_out_confirmation";
    if (!channel || !target || (target.status === "stopped" && !mayReachStopped)) {
      // Never send to a stopped contact; an unknown channel is an operator problem.
      await store.markDead(
        row.id,
        row.attempts,
        !channel ? `no sender for channel ${row.channel}` : "contact stopped or erased",
      );
      report.skipped++;
      metrics?.replies.inc({ ...labels, result: "skipped" });
      return;
    }
    const address = knownAddress ?? (await this.options.addressCrypto.decrypt(target.addressEnc));
    await this.options.shares?.join();
    const waited = stopwatch();
    const sent = await channel.pacer.acquire(
      channel.sender.countsPerRecipient?.(row.payload) === false ? undefined : row.contactId,
      priorityOf(row.kind),
    );
    metrics?.pacerWait.observe(labels, waited());
    let result: SendResult;
    try {
      result = await channel.sender.send(row.payload, address, row.idempotencyKey);
    } catch (error) {
      result = { ok: false, error: (error as Error).message || "send failed" };
    } finally {
      await sent();
      this.options.shares?.sent();
    }
    const attempts = row.attempts + 1;
    if (result.ok) {
      await store.markSent(row.id, result.providerId, this.now());
      report.sent++;
      metrics?.replies.inc({ ...labels, result: "sent" });
      return;
    }
    if (result.stopContact) {
      await store.stopContact(row.contactId, this.now());
      await store.markDead(row.id, attempts, result.error);
      log.info("contact stopped by the platform", { channel: row.channel, contact: row.contactId });
      report.dead++;
      metrics?.replies.inc({ ...labels, result: "dead" });
      return;
    }
    // Only a 429 comes back with a time to wait (both senders).
    if (result.retryAfterMs !== undefined) {
      await channel.pacer.pause(result.retryAfterMs);
      metrics?.rateLimited.inc(labels);
    }
    if (result.permanent || attempts >= this.options.maxAttempts) {
      await store.markDead(row.id, attempts, result.error);
      log.warn("outbox message dead-lettered", { channel: row.channel, outbox: row.id, attempts });
      report.dead++;
      metrics?.replies.inc({ ...labels, result: "dead" });
      return;
    }
    // A platform that says when to come back is believed; otherwise back off exponentially.
    const wait = result.retryAfterMs ?? backoffMs(attempts);
    await store.reschedule(row.id, attempts, result.error, new Date(this.now().getTime() + wait));
    report.retried++;
    metrics?.replies.inc({ ...labels, result: "retried" });
  }
}
