// Spaces out sends so no platform limit is ever exceeded: at most `perSecond` starts per
// second overall and `perKeyPerSecond` per recipient. Each start reserves the next free slot
// (min spacing 1000/rate ms), so any one-second window holds at most the limit.
export interface PacerLimits {
  readonly perSecond: number;
  readonly perKeyPerSecond?: number;
}

export class Pacer {
  private nextGlobal = 0;
  private readonly nextByKey = new Map<string, number>();

  constructor(
    private readonly limits: PacerLimits,
    private readonly clock: () => number = () => performance.timeOrigin + performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** Resolves when a send to `key` may start; call it just before sending. */
  async acquire(key?: string): Promise<void> {
    const now = this.clock();
    const globalGap = 1000 / this.limits.perSecond;
    let slot = Math.max(now, this.nextGlobal);
    if (key !== undefined && this.limits.perKeyPerSecond) {
      slot = Math.max(slot, this.nextByKey.get(key) ?? 0);
      this.nextByKey.set(key, slot + 1000 / this.limits.perKeyPerSecond);
      if (this.nextByKey.size > 50_000) this.forgetOld(now);
    }
    this.nextGlobal = slot + globalGap;
    if (slot > now) await this.sleep(slot - now);
  }

  /** Pushes every later start back, e.g. after the platform says "too many requests". */
  pause(ms: number, key?: string): void {
    const until = this.clock() + ms;
    if (key !== undefined) this.nextByKey.set(key, Math.max(this.nextByKey.get(key) ?? 0, until));
    else this.nextGlobal = Math.max(this.nextGlobal, until);
  }

  private forgetOld(now: number): void {
    for (const [key, at] of this.nextByKey) if (at < now) this.nextByKey.delete(key);
  }
}
