// Keeps sends within a platform's rate limits: at most `perSecond` starts in any window of
// one second overall, and `perKeyPerSecond` per recipient. It keeps the start times of the
// most recent sends (a sliding log) and checks them at the moment a send really starts, so a
// late timer can never bunch sends into one window. A small guard on each window absorbs the
// difference between our clock and the platform's.
export interface PacerLimits {
  readonly perSecond: number;
  readonly perKeyPerSecond?: number;
}

const GUARD_MS = 25;

class SlidingLog {
  private readonly times: number[] = [];
  readonly capacity: number;
  readonly windowMs: number;

  constructor(perSecond: number) {
    this.capacity = Math.max(1, Math.floor(perSecond));
    this.windowMs = (this.capacity / perSecond) * 1000 + GUARD_MS;
  }

  /** The earliest time a new start fits. */
  earliest(): number {
    return this.times.length < this.capacity ? 0 : this.times[this.times.length - this.capacity]! + this.windowMs;
  }

  record(at: number): void {
    this.times.push(at);
    if (this.times.length > this.capacity * 2) this.times.splice(0, this.times.length - this.capacity);
  }

  last(): number {
    return this.times[this.times.length - 1] ?? 0;
  }
}

export class Pacer {
  private readonly global: SlidingLog;
  private readonly byKey = new Map<string, SlidingLog>();
  private blockedUntil = 0;

  constructor(
    private readonly limits: PacerLimits,
    private readonly clock: () => number = () => performance.timeOrigin + performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.global = new SlidingLog(limits.perSecond);
  }

  /** Resolves when a send to `key` may start, and counts it as started; call it just before sending. */
  async acquire(key?: string): Promise<void> {
    const keyLog = key !== undefined && this.limits.perKeyPerSecond ? this.logFor(key) : undefined;
    for (;;) {
      const now = this.clock();
      const earliest = Math.max(this.blockedUntil, this.global.earliest(), keyLog?.earliest() ?? 0);
      if (now >= earliest) {
        this.global.record(now);
        keyLog?.record(now);
        return;
      }
      await this.sleep(earliest - now);
    }
  }

  /** Holds every later start back, e.g. after the platform says "too many requests". */
  pause(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.clock() + ms);
  }

  private logFor(key: string): SlidingLog {
    let log = this.byKey.get(key);
    if (!log) {
      log = new SlidingLog(this.limits.perKeyPerSecond!);
      this.byKey.set(key, log);
      if (this.byKey.size > 50_000) this.forgetIdle();
    }
    return log;
  }

  private forgetIdle(): void {
    const cutoff = this.clock() - 60_000;
    for (const [key, log] of this.byKey) if (log.last() < cutoff) this.byKey.delete(key);
  }
}
