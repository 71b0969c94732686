// Statistical disclosure control: the only numbers that leave PlaceVoice are these. The policy a
// data protection officer reads, with what the tests show, is docs/disclosure.md.
//
// 1. Consistent perturbation (the ONS Census 2021 cell-key method). Every resident has a random
//    record key 0-255; a cell's key is the sum of its residents' keys mod 256; the published
//    count is the true count plus a small adjustment read from a fixed table (P_TABLE) at that
//    cell key and value. The same residents always give the same cell key, so the same number by
//    every path (API, CSV, dashboard, trend, feed, champion page, update counts), and the
//    difference of two published numbers can no longer be trusted to the resident. A count of
//    zero is never adjusted (and, being under K, reads "fewer than K" like any small count).
// 2. Primary suppression: a count below K (default 10), before or after the adjustment, is never
//    published; it reads "fewer than K".
// 3. Small populations: when the residents a query covers number fewer than K (or their number
//    cannot be published) every cell is suppressed.
// 4. Complements: a cell is also checked against the same cell with each filter removed; if the
//    residents the filter left out number 1 to K-1, the cell is suppressed too. The residents who
//    did not pick a theme are such a group as well.
// 5. A query space that cannot be worked: periods are fixed four-week blocks, the last 52 weeks
//    or all time (periods.ts), never any day, so few pairs of queries isolate the same group and
//    the adjustments cannot be averaged away.
// 6. No additive totals: a resident can pick several themes, so cells do not add up and no
//    total of cells is published; shares are published cell over published population.

export interface Cell {
  /** The published count, or null when suppressed. */
  readonly count: number | null;
  readonly suppressed: boolean;
}

/** A true count and the sum of its residents' record keys: what a running total holds. */
export interface Tally {
  readonly count: number;
  readonly keySum: number;
}

export const RECORD_KEYS = 256;

/**
 * The p-table: how often (in 256ths of cell keys) each adjustment is made, for every count of
 * K or more (smaller counts are never published). Symmetric, so totals are unbiased; nine cells
 * in ten move, by 2.1 on average and never by more than 4. Flat on purpose: two independent
 * adjustments agree (one pair of published counts gives a group's size exactly) for 11% of
 * pairs, where a peaked table (most weight on 0) would let far more through.
 */
export const P_TABLE: readonly (readonly [adjustment: number, keys: number])[] = [
  [-4, 24],
  [-3, 28],
  [-2, 30],
  [-1, 32],
  [0, 28],
  [1, 32],
  [2, 30],
  [3, 28],
  [4, 24],
];

/** The largest adjustment the p-table makes, as the notes beside published numbers state it. */
export const MAX_ADJUSTMENT = Math.max(...P_TABLE.map(([value]) => Math.abs(value)));

export function cellKey(tally: Tally): number {
  return ((tally.keySum % RECORD_KEYS) + RECORD_KEYS) % RECORD_KEYS;
}

/**
 * The adjustment for a cell: its key, shifted by a step that depends on the count (as the
 * p-table's rows do), picks a column of P_TABLE. Deterministic: same residents, same number.
 */
export function adjustment(tally: Tally): number {
  if (tally.count === 0) return 0;
  let column = (cellKey(tally) + 167 * tally.count) % RECORD_KEYS;
  for (const [value, keys] of P_TABLE) {
    if (column < keys) return value;
    column -= keys;
  }
  return 0;
}

/** Rules 1-2 for one tally: the number to publish, or suppressed. */
export function publishTally(tally: Tally, k: number): Cell {
  if (tally.count < k) return { count: null, suppressed: true };
  const published = tally.count + adjustment(tally);
  return published >= k ? { count: published, suppressed: false } : { count: null, suppressed: true };
}

/**
 * Rules 1-4 for one cell: `tally` under the query's filters, `parents` the true counts of the
 * same cell with one filter removed each, `population` the true number of residents covered.
 */
export function protectCell(tally: Tally, parents: readonly number[], population: number, k: number): Cell {
  if (population < k) return { count: null, suppressed: true };
  if (tally.count < k) return { count: null, suppressed: true };
  for (const parent of parents) {
    const leftOut = parent - tally.count;
    if (leftOut > 0 && leftOut < k) return { count: null, suppressed: true };
  }
  return publishTally(tally, k);
}

/** A cell's share of the published population, in whole percent; null when either is withheld. */
export function share(cell: Cell, population: Cell): number | null {
  if (cell.count === null || population.count === null || population.count === 0) return null;
  return Math.min(100, Math.round((cell.count / population.count) * 100));
}
