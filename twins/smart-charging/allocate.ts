import { reject, type Rejection } from '../errors';
import { LIMIT_INVALID, POLICY_INVALID, SESSION_INVALID } from './codes';
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
  /** The sum of all shares; more than `siteLimit` only when held shares alone exceed it. */
  allocated: number;
  /** In the order the sessions came in. */
  sessions: SessionShare[];
}

/**
 * Each session's limit under a site's limit and policy. Pure: the same input always gives the
 * same shares, so the load manager's recomputation replays. The sum of the shares never
 * exceeds the limit, except when shares held for offline stations alone already do (a lowered
 * limit they cannot hear yet); then every other session gets 0.
 *
 * @example
 *   allocate({ limit: { unit: 'W', value: 22000 }, policy: { kind: 'equal-share' },
 *              sessions: [a, b, c] }) // each 7333 W (one gets 7334)
 */
export function allocate(input: AllocationInput): Allocation | Rejection {
  const invalid = check(input);
  if (invalid) return invalid;
  const { limit, policy, sessions } = input;
  const unit = limit.unit;
  const site = limitSteps(limit);
  const step = STEPS_PER_UNIT[unit];
  const held = sessions.filter((s) => s.held !== undefined);
  const heldSteps = held.reduce((sum, s) => sum + Math.round(s.held! * step), 0);
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
  const shares = new Map<string, number>();
  const tiers =
    policy.kind === 'equal-share'
      ? [admitted]
      : [...new Set(admitted.map((a) => a.priority))].map((p) =>
          admitted.filter((a) => a.priority === p),
        );
  // Each tier gets its minimums plus what is left after the tiers above it took their fill.
  let spare = budget - minimums;
  for (const tier of tiers) {
    const tierBounds = tier.map((a) => bounds(a.session));
    const tierMinimums = tierBounds.reduce((sum, b) => sum + b.min, 0);
    const filled = waterFill(spare + tierMinimums, tierBounds);
    tier.forEach((a, i) => shares.set(a.session.sessionId, filled[i]!));
    spare -= filled.reduce((sum, s) => sum + s, 0) - tierMinimums;
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
  const allocatedSteps = result.reduce((sum, s) => sum + Math.round(s.limit * step), 0);
  return {
    unit,
    siteLimit: fromSteps(site, unit),
    allocated: fromSteps(allocatedSteps, unit),
    sessions: result,
  };
}

function check({ limit, policy, sessions }: AllocationInput): Rejection | undefined {
  const amount = (v: number | undefined) => v === undefined || (Number.isFinite(v) && v >= 0);
  if (!Number.isFinite(limit.value) || limit.value < 0)
    return reject(LIMIT_INVALID, `a site limit is a number ≥ 0, got ${limit.value}`);
  if (limit.unit !== 'W' && limit.unit !== 'A')
    return reject(
      LIMIT_INVALID,
      `a site limit is in W or A, got ${String((limit as { unit: unknown }).unit)}`,
    );
  if (limit.unit === 'A' && limit.phases !== 1 && limit.phases !== 3)
    return reject(LIMIT_INVALID, `a limit in A names 1 or 3 phases, got ${String(limit.phases)}`);
  if (policy.kind !== 'equal-share' && policy.kind !== 'priority')
    return reject(
      POLICY_INVALID,
      `a policy is equal-share or priority, got ${String(policy.kind)}`,
    );
  if (!amount(policy.minimumPerSession))
    return reject(POLICY_INVALID, 'minimumPerSession is a number ≥ 0');
  const seen = new Set<string>();
  for (const s of sessions) {
    if (seen.has(s.sessionId))
      return reject(SESSION_INVALID, `session ${s.sessionId} is listed twice`);
    seen.add(s.sessionId);
    if (!amount(s.minimum) || !amount(s.maximum) || !amount(s.held))
      return reject(SESSION_INVALID, `session ${s.sessionId}: minimum, maximum and held are ≥ 0`);
    if (s.priority !== undefined && !Number.isFinite(s.priority))
      return reject(SESSION_INVALID, `session ${s.sessionId}: priority is a finite number`);
  }
  return undefined;
}
