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
  readonly capacity: number;
  readonly windowMs: number;

  constructor(perSecond: number) {
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

export class Pacer {
  private readonly global: SendLog;
  private readonly byKey = new Map<string, SendLog>();
  private blockedUntil = 0;
  /** Resolved (and replaced) whenever a send comes back, for those waiting on one. */
  private changed: { promise: Promise<void>; resolve: () => void } = Pacer.signal();

  constructor(
    private readonly limits: PacerLimits,
    private readonly clock: () => number = () => performance.timeOrigin + performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.global = new SendLog(limits.perSecond);
  }

  private static signal(): { promise: Promise<void>; resolve: () => void } {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  }

  /**
   * Resolves when a send to `key` may start, and counts it as started; call it just before
   * sending, and call the returned function once the platform has answered (or failed).
   */
  async acquire(key?: string): Promise<() => void> {
    const keyLog = key !== undefined && this.limits.perKeyPerSecond ? this.logFor(key) : undefined;
    for (;;) {
      const now = this.clock();
      const earliest = Math.max(this.blockedUntil, this.global.earliest(now), keyLog?.earliest(now) ?? 0);
      if (now >= earliest) {
        this.global.start();
        keyLog?.start();
        let finished = false;
        return () => {
          if (finished) return;
          finished = true;
          const at = this.clock();
          this.global.finish(at);
          keyLog?.finish(at);
          const { resolve } = this.changed;
          this.changed = Pacer.signal();
          resolve();
        };
      }
      if (earliest === Infinity) await this.changed.promise;
      else await this.sleep(earliest - now);
    }
  }

  /** Holds every later start back, e.g. after the platform says "too many requests". */
  pause(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.clock() + ms);
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
