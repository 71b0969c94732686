// The clock tests hand to the service: it starts at a fixed instant and runs on with real time
// (as `faketime -f '@…'` does), so leases, backoff and timeouts still elapse; a test may set it
// or move it on. Nothing a test expects may come from the machine's own date.
import type { Clock } from "../../src/clock.js";

export const DEFAULT_START = "2026-01-05T10:00:00Z"; // a Monday morning in winter, outside quiet hours

export interface TestClock {
  readonly now: Clock;
  /** Jumps to `at`; time runs on from there. */
  set(at: Date | string): void;
  /** Moves the clock on (or back, with a negative value). */
  advance(ms: number): void;
}

export function testClock(start: Date | string = DEFAULT_START): TestClock {
  let base = new Date(start).getTime();
  let anchor = performance.now();
  return {
    now: () => new Date(base + (performance.now() - anchor)),
    set(at) {
      base = new Date(at).getTime();
      anchor = performance.now();
    },
    advance(ms) {
      base += ms;
    },
  };
}
