import type { Rejection } from '../errors';
import { checkAllocationInput } from './allocation-check';
import { priorityOf, type ChargingSessionLoad, type LoadPolicy } from './load-policy';
import {
  fromSteps,
  limitSteps,
  maximumSteps,
  minimumSteps,
  STEPS_PER_UNIT,
  type ChargingRateUnit,
  type SiteLimit,
} from './site-limit';
import { waterFill, type Bounds } from './water-fill';

export interface AllocationInput {
  limit: SiteLimit;
  policy: LoadPolicy;
  sessions: readonly ChargingSessionLoad[];
  /**
   * Connectors (EVSEs in 2.0.1) with no running session, per station: each may start one at
   * any moment and draw its TxDefaultProfile until its TxProfile arrives, so each is counted
   * at the start limit. None when left out.
   */
  idle?: readonly IdleConnectors[];
}

/** A station's connectors that could start a session now. */
export interface IdleConnectors {
  stationId: string;
  count: number;
  /**
   * Its station is offline but still counted (its release delay runs): its connectors are
   * counted at the default it last heard (in the limit's unit), as held sessions are.
   */
  held?: number;
}

/** One session's share, in the limit's unit. `waiting`: its minimum did not fit, it gets 0. */
export interface SessionShare {
  sessionId: string;
  stationId: string;
  connectorId: number;
  limit: number;
  priority: number;
  waiting: boolean;
  /** Kept as it was: its station is offline and cannot hear a new profile yet. */
  held: boolean;
}

export interface Allocation {
  unit: ChargingRateUnit;
  /** The site's limit in whole steps, as a number in the unit. */
  siteLimit: number;
  /**
   * What each idle connector of an online station may draw before its session's TxProfile
   * arrives (the TxDefaultProfile's limit): the policy's minimum per session when the limit
   * can give it to every idle connector after every admitted session's minimum, else 0.
   */
  startLimit: number;
  /** Kept for idle connectors: the start limit for each online one, the held default for each offline one. */
  reserved: number;
  /**
   * The shares plus `reserved`; more than `siteLimit` only when what offline stations hold
   * (shares and defaults) alone exceeds it.
   */
  allocated: number;
  /** In the order the sessions came in. */
  sessions: SessionShare[];
}

/**
 * Each session's limit under a site's limit and policy, and the start limit of idle
 * connectors. Pure: the same input always gives the same shares, so the load manager's
 * recomputation replays. The shares plus the start limit of every idle connector never exceed
 * the limit, so a session that starts before its TxProfile arrives cannot push the site over;
 * except when what offline stations hold alone already does (a lowered limit they cannot hear
 * yet); then every other session and idle connector gets 0.
 *
 * @example
 *   allocate({ limit: { unit: 'W', value: 22000 }, policy: { kind: 'equal-share' },
 *              sessions: [a, b, c] }) // each 7333 W (one gets 7334)
 *   allocate({ limit: { unit: 'W', value: 22000 },
 *              policy: { kind: 'equal-share', minimumPerSession: 4000 },
 *              sessions: [a], idle: [{ stationId: 'cs2', count: 2 }] })
 *     // a gets 14000 W, startLimit 4000 W: each idle connector may start at 4000 W
 */
export function allocate(input: AllocationInput): Allocation | Rejection {
  const invalid = checkAllocationInput(input);
  if (invalid) return invalid;
  const { limit, policy, sessions } = input;
  const unit = limit.unit;
  const site = limitSteps(limit);
  const step = STEPS_PER_UNIT[unit];
  const held = sessions.filter((s) => s.held !== undefined);
  const idle = input.idle ?? [];
  const heldIdle = idle
    .filter((i) => i.held !== undefined)
    .reduce((sum, i) => sum + Math.round(i.held! * step) * i.count, 0);
  const onlineIdle = idle.filter((i) => i.held === undefined).reduce((n, i) => n + i.count, 0);
  const heldSteps = held.reduce((sum, s) => sum + Math.round(s.held! * step), 0) + heldIdle;
  const free = sessions.filter((s) => s.held === undefined);
  const ranked = free
    .map((session) => ({ session, priority: priorityOf(session, policy) }))
    .sort(
      (a, b) =>
        b.priority - a.priority ||
        a.session.startedAt.localeCompare(b.session.startedAt) ||
        a.session.sessionId.localeCompare(b.session.sessionId),
    );
  const bounds = (s: ChargingSessionLoad): Bounds => {
    const max = maximumSteps(s.maximum, unit);
    return {
      min: Math.min(max, minimumSteps(s.minimum ?? policy.minimumPerSession ?? 0, unit)),
      max,
    };
  };
  // Admission: in rank order while minimums fit; the first that does not fit waits, and so does
  // everyone after it, so a lower priority never charges while a higher one waits.
  const budget = Math.max(0, site - heldSteps);
  const admitted: typeof ranked = [];
  let minimums = 0;
  for (const entry of ranked) {
    const min = bounds(entry.session).min;
    if (minimums + min > budget) break;
    admitted.push(entry);
    minimums += min;
  }
  // Sessions running come before sessions that might start: idle connectors get the minimum
  // only when everyone admitted keeps theirs, else they start at 0 and wait for a TxProfile.
  // And only when every charging session's share is at least that much: a session that stops
  // leaves its connector idle, and one starting there before the next recomputation draws
  // the start limit where the stopped one had its share. Once given, the start limit holds
  // as sessions start: each new one takes the minimum its connector had kept.
  // Math.max: a minimum of 0 rounds up to -0, which would show as a start limit of -0.
  const minimum = Math.max(0, minimumSteps(policy.minimumPerSession ?? 0, unit));
  const fill = (start: number) =>
    fillTiers(admitted, budget - minimums - start * onlineIdle, bounds, policy);
  let start = minimums + minimum * onlineIdle <= budget ? minimum : 0;
  let shares = fill(start);
  if (start > 0 && ranked.some((r) => (shares.get(r.session.sessionId) ?? -1) < start)) {
    start = 0;
    shares = fill(0);
  }
  const result = sessions.map((s): SessionShare => {
    const isHeld = s.held !== undefined;
    const steps = isHeld ? Math.round(s.held! * step) : (shares.get(s.sessionId) ?? 0);
    return {
      sessionId: s.sessionId,
      stationId: s.stationId,
      connectorId: s.connectorId,
      limit: fromSteps(steps, unit),
      priority: priorityOf(s, policy),
      waiting: !isHeld && !shares.has(s.sessionId),
      held: isHeld,
    };
  });
  const reservedSteps = start * onlineIdle + heldIdle;
  const allocatedSteps =
    result.reduce((sum, s) => sum + Math.round(s.limit * step), 0) + reservedSteps;
  return {
    unit,
    siteLimit: fromSteps(site, unit),
    startLimit: fromSteps(start, unit),
    reserved: fromSteps(reservedSteps, unit),
    allocated: fromSteps(allocatedSteps, unit),
    sessions: result,
  };
}

/** Each admitted session's share: its minimum plus what is left after higher tiers took their fill. */
function fillTiers(
  admitted: ReadonlyArray<{ session: ChargingSessionLoad; priority: number }>,
  spareAtFirst: number,
  bounds: (s: ChargingSessionLoad) => Bounds,
  policy: LoadPolicy,
): Map<string, number> {
  const shares = new Map<string, number>();
  const tiers =
    policy.kind === 'equal-share'
      ? [admitted]
      : [...new Set(admitted.map((a) => a.priority))].map((p) =>
          admitted.filter((a) => a.priority === p),
        );
  let spare = spareAtFirst;
  for (const tier of tiers) {
    const tierBounds = tier.map((a) => bounds(a.session));
    const tierMinimums = tierBounds.reduce((sum, b) => sum + b.min, 0);
    const filled = waterFill(spare + tierMinimums, tierBounds);
    tier.forEach((a, i) => shares.set(a.session.sessionId, filled[i]!));
    spare -= filled.reduce((sum, s) => sum + s, 0) - tierMinimums;
  }
  return shares;
}
