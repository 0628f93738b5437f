/**
 * A site's power limit. In watts it caps the sum of the sessions' power; in amperes it caps the
 * current on each phase. A session is assumed to draw its current on every phase it may use,
 * which is the worst case, so the per-phase sum of the sessions' amperes is what is capped.
 */
export type SiteLimit = { unit: 'W'; value: number } | { unit: 'A'; value: number; phases: 1 | 3 };

export type ChargingRateUnit = SiteLimit['unit'];

/**
 * Allocation works in whole steps so that rounding can never push a sum past the limit: 1 W,
 * or 0.1 A (OCPP 1.6 and 2.0.1 both take one decimal in a `limit`).
 */
export const STEPS_PER_UNIT: Record<ChargingRateUnit, number> = { W: 1, A: 10 };

/** The limit in steps, rounded down: a site never gets more than it allows. */
export function limitSteps(limit: SiteLimit): number {
  return Math.floor(limit.value * STEPS_PER_UNIT[limit.unit] + 1e-9);
}

/** A minimum in steps, rounded up: a session never gets less than it needs. */
export function minimumSteps(value: number, unit: ChargingRateUnit): number {
  return Math.ceil(value * STEPS_PER_UNIT[unit] - 1e-9);
}

/** A maximum in steps, rounded down; none is no cap. */
export function maximumSteps(value: number | undefined, unit: ChargingRateUnit): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  return Math.floor(value * STEPS_PER_UNIT[unit] + 1e-9);
}

export function fromSteps(steps: number, unit: ChargingRateUnit): number {
  return steps / STEPS_PER_UNIT[unit];
}
