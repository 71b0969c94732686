// Keeps sends within a platform's rate limits: at most `perSecond` sends in any window of one
// second overall, and `perKeyPerSecond` per recipient, counted where the platform counts them:
// on arrival. We never know when a request arrives, only that it is between the moment we
// start it and the moment its response comes back. So a send counts against the window from
// its start until one window after its response: a new send may start only while fewer than
// the limit are in flight or came back within the last window. However slow the first
// connection or however bunched the network, no window at the platform can then hold more
// than the limit (a send that was slow to arrive stays counted until it has come back). A
// small guard on each window absorbs the difference between our clock and the platform's.
export interface PacerLimits {
  readonly perSecond: number;
  readonly perKeyPerSecond?: number;
}

const GUARD_MS = 25;

class SendLog {
  /** Completion times of recent sends, oldest first (the clock only moves forward). */
  private readonly completed: number[] = [];
  private inFlight = 0;
  private capacity = 1;
  private windowMs = 1000;

  constructor(perSecond: number) {
    this.resize(perSecond);
  }

  /** A new limit; the sends already counted still count (a smaller limit waits for them to age out). */
  resize(perSecond: number): void {
    this.capacity = Math.max(1, Math.floor(perSecond));
    this.windowMs = (this.capacity / perSecond) * 1000 + GUARD_MS;
  }

  /** The earliest time a new send fits, or Infinity while the limit is in flight (wait for one to come back). */
  earliest(now: number): number {
    this.forget(now);
    const room = this.capacity - this.inFlight - 1;
    if (room < 0) return Infinity;
    if (this.completed.length <= room) return 0;
    return this.completed[this.completed.length - room - 1]! + this.windowMs;
  }

  start(): void {
    this.inFlight++;
  }

  finish(at: number): void {
    this.inFlight--;
    this.completed.push(at);
  }

  idleSince(now: number): boolean {
    this.forget(now);
    return this.inFlight === 0 && this.completed.length === 0;
  }

  private forget(now: number): void {
    let old = 0;
    while (old < this.completed.length && this.completed[old]! <= now - this.windowMs) old++;
    if (old > 0) this.completed.splice(0, old);
  }
}

/** Lower goes first: a resident's reply, then a reminder, then broadcasts and updates. */
export type SendPriority = 0 | 1 | 2;

/**
 * What a sender asks before each send: a Pacer in this process (Node), or one shared by every
 * sender of a channel, wherever it runs (the Worker's pacing Durable Object,
 * src/runtime-worker/pacing-object.ts). The release may go over the network: await it.
 */
export interface SendPacing {
  acquire(key?: string, priority?: SendPriority): Promise<() => void | Promise<void>>;
  pause(ms: number): void | Promise<void>;
}

interface Waiter {
  readonly priority: SendPriority;
  readonly keyLog: SendLog | undefined;
  readonly grant: (release: () => void) => void;
}

/**
 * Sends wait in one queue per priority. Whenever a slot is free, it goes to the first waiter of
 * the highest priority whose recipient may be sent to now: a broadcast takes a slot only when no
 * reply can use it, so a reply waits at most for the sends already started (one slot).
 */
export class Pacer implements SendPacing {
  private readonly global: SendLog;
  private readonly byKey = new Map<string, SendLog>();
  private readonly waiting: Waiter[][] = [[], [], []];
  private blockedUntil = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;

  constructor(
    private limits: PacerLimits,
    private readonly clock: () => number = () => performance.timeOrigin + performance.now(),
  ) {
    this.global = new SendLog(limits.perSecond);
  }

  /** Paces to new limits from now on (e.g. this process's share when others send too). */
  resize(limits: PacerLimits): void {
    this.limits = limits;
    this.global.resize(limits.perSecond);
    for (const log of this.byKey.values()) log.resize(limits.perKeyPerSecond ?? limits.perSecond);
    this.serve();
  }

  /**
   * Resolves when a send to `key` may start, and counts it as started; call it just before
   * sending, and call the returned function once the platform has answered (or failed).
   */
  acquire(key?: string, priority: SendPriority = 0): Promise<() => void> {
    const keyLog = key !== undefined && this.limits.perKeyPerSecond ? this.logFor(key) : undefined;
    return new Promise((grant) => {
      this.waiting[priority]!.push({ priority, keyLog, grant });
      this.serve();
    });
  }

  /** Sends waiting for a slot, by priority. */
  get queued(): readonly number[] {
    return this.waiting.map((q) => q.length);
  }

  /** Holds every later start back, e.g. after the platform says "too many requests". */
  pause(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.clock() + ms);
  }

  /** Grants every slot that is free now, in priority order; sets a timer for the next one. */
  private serve(): void {
    for (;;) {
      const now = this.clock();
      const free = Math.max(this.blockedUntil, this.global.earliest(now));
      if (free > now) return this.wakeAt(free);
      let next = Infinity;
      let chosen: { queue: Waiter[]; index: number } | undefined;
      for (const queue of this.waiting) {
        for (let i = 0; i < queue.length; i++) {
          const at = queue[i]!.keyLog?.earliest(now) ?? 0;
          if (at <= now) {
            chosen = { queue, index: i };
            break;
          }
          next = Math.min(next, at);
        }
        if (chosen) break;
      }
      if (!chosen) return this.wakeAt(next);
      const [waiter] = chosen.queue.splice(chosen.index, 1);
      this.global.start();
      waiter!.keyLog?.start();
      let finished = false;
      waiter!.grant(() => {
        if (finished) return;
        finished = true;
        const at = this.clock();
        this.global.finish(at);
        waiter!.keyLog?.finish(at);
        this.serve();
      });
    }
  }

  /** Serves again at `at` (Infinity: when a send comes back, which calls serve itself). */
  private wakeAt(at: number): void {
    if (at === Infinity || this.waiting.every((q) => q.length === 0)) return;
    if (this.timer !== undefined && this.timerAt <= at) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.serve();
      },
      Math.max(0, at - this.clock()),
    );
  }

  private logFor(key: string): SendLog {
    let log = this.byKey.get(key);
    if (!log) {
      log = new SendLog(this.limits.perKeyPerSecond!);
      this.byKey.set(key, log);
      if (this.byKey.size > 50_000) this.forgetIdle();
    }
    return log;
  }

  private forgetIdle(): void {
    const now = this.clock();
    for (const [key, log] of this.byKey) if (log.idleSince(now)) this.byKey.delete(key);
  }
}
