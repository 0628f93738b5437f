import { reject, type Rejection } from '../errors';
import type { AllocationInput } from './allocate';
import { LIMIT_INVALID, POLICY_INVALID, SESSION_INVALID } from './codes';

/** Why the allocation core refuses an input, or undefined when it takes it. */
export function checkAllocationInput({
  limit,
  policy,
  sessions,
  idle,
}: AllocationInput): Rejection | undefined {
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
  const stations = new Set<string>();
  for (const i of idle ?? []) {
    if (stations.has(i.stationId))
      return reject(SESSION_INVALID, `station ${i.stationId}'s idle connectors are listed twice`);
    stations.add(i.stationId);
    if (!Number.isInteger(i.count) || i.count < 0 || !amount(i.held))
      return reject(
        SESSION_INVALID,
        `station ${i.stationId}: idle connectors are a whole number ≥ 0, held ≥ 0`,
      );
  }
  return undefined;
}
