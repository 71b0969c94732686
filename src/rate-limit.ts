// A sliding-window limit per key (a resident, a partner token): at most `limit` events in any
// `windowMs`. Kept in memory, per process: on one Node server that is exact; on Workers each
// contact's messages are serialised in one place, so it holds there too. Idle keys are dropped
// so memory stays bounded by the number of recently active keys.
export interface RateDecision {
  readonly allowed: boolean;
  /** When refused: milliseconds until an event would be allowed again. */
  readonly retryAfterMs: number;
  /** When refused: whether this is the first refusal in the current run of refusals (say so once, not every time). */
  readonly firstRefusal: boolean;
}

interface Entry {
  times: number[];
  refusedSince: number | null;
}

export class RateLimiter {
  private readonly entries = new Map<string, Entry>();
  private lastSweep = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  take(key: string): RateDecision {
    const now = this.clock();
    this.sweep(now);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { times: [], refusedSince: null };
      this.entries.set(key, entry);
    }
    const cutoff = now - this.windowMs;
    while (entry.times.length > 0 && entry.times[0]! <= cutoff) entry.times.shift();
    if (entry.times.length < this.limit) {
      entry.times.push(now);
      entry.refusedSince = null;
      return { allowed: true, retryAfterMs: 0, firstRefusal: false };
    }
    const firstRefusal = entry.refusedSince === null;
    entry.refusedSince ??= now;
    return { allowed: false, retryAfterMs: Math.max(1, entry.times[0]! + this.windowMs - now), firstRefusal };
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    const cutoff = now - this.windowMs;
    for (const [key, entry] of this.entries) if ((entry.times.at(-1) ?? 0) <= cutoff) this.entries.delete(key);
  }
}
