// Statistical disclosure control: the only numbers that leave PlaceVoice are these.
//
// 1. Primary suppression: a count below K (default 10) is never published; it reads "fewer
//    than K".
// 2. Small populations: when the residents a query covers number fewer than K — or their number
//    cannot be published because of rule 3 — every cell is suppressed, so a narrow filter
//    cannot single anyone out.
// 3. Complements: a cell published under filters is also checked against the same cell with
//    each filter removed; if the difference (the people the filter left out) is between 1 and
//    K-1, the cell is suppressed too — so "with and without a filter" never reveals a small
//    group by subtraction.
//    The same holds for the residents who did not pick a theme: population minus cell must be
//    0 or at least K.
// 4. No additive totals: tables count residents per theme where one resident can pick several
//    themes, so cells do not add up to the population and no total of cells is published;
//    shares are each cell over the population, rounded to whole percent.
export interface Cell {
  /** The count, or null when suppressed. */
  readonly count: number | null;
  readonly suppressed: boolean;
}

export function primary(count: number, k: number): Cell {
  return count >= k ? { count, suppressed: false } : { count: null, suppressed: true };
}

/**
 * Applies rules 1–3 to one cell: `count` under the query's filters, `parents` the same cell
 * with one filter removed each.
 */
export function protectCell(count: number, parents: readonly number[], population: number, k: number): Cell {
  if (population < k) return { count: null, suppressed: true };
  if (count < k) return { count: null, suppressed: true };
  for (const parent of parents) {
    const leftOut = parent - count;
    if (leftOut > 0 && leftOut < k) return { count: null, suppressed: true };
  }
  return { count, suppressed: false };
}

export function share(cell: Cell, population: Cell): number | null {
  if (cell.count === null || population.count === null || population.count === 0) return null;
  return Math.round((cell.count / population.count) * 100);
}
