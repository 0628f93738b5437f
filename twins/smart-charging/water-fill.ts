/** A share to fill, in whole steps: at least `min`, at most `max` (which may be infinite). */
export interface Bounds {
  min: number;
  max: number;
}

/**
 * Max-min fair split of `budget` whole steps: everyone at one level, lifted to its minimum or
 * capped at its maximum, and the steps the level leaves over handed out one each in the given
 * order, so two shares at the level differ by at most one step. Needs Σ min ≤ budget.
 *
 * @example waterFill(10, [{ min: 0, max: Infinity }, { min: 6, max: Infinity }]) // [4, 6]
 */
export function waterFill(budget: number, bounds: readonly Bounds[]): number[] {
  const at = (level: number) => bounds.map((b) => Math.min(b.max, Math.max(b.min, level)));
  const total = (level: number) => at(level).reduce((sum, share) => sum + share, 0);
  // The largest level whose total fits: total() grows with the level, so a binary search.
  let low = 0;
  let high = Math.max(budget, ...bounds.map((b) => b.min));
  if (total(high) <= budget) return at(high);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (total(mid) <= budget) low = mid;
    else high = mid - 1;
  }
  const shares = at(low);
  let left = budget - total(low);
  // Those exactly at the level and below their cap are the ones one more step would lift.
  for (let i = 0; i < shares.length && left > 0; i++) {
    const b = bounds[i]!;
    if (b.min <= low && low < b.max) {
      shares[i] = low + 1;
      left--;
    }
  }
  return shares;
}
