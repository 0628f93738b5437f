import type { Condition, LeafCondition } from './rule';

/** One datapoint's verdict: breaching, not breaching, or no data to judge. */
export type Outcome = 'breaching' | 'ok' | 'missing';

export type FieldValue = number | string | boolean;

/** What a device looks like at the moment a rule is judged (times in ms since the epoch). */
export interface Snapshot {
  readonly at: number;
  /** Newest value and when it came, per field the rule reads. */
  readonly fields: Readonly<Record<string, { readonly value: FieldValue; readonly at: number }>>;
  /** The value each numeric field had before its newest (for `changeBy`). */
  readonly previous: Readonly<Record<string, number>>;
  /** When the device last sent anything (null: never). */
  readonly lastSeenAt: number | null;
  readonly online: boolean | null;
  /** Since when the device has been offline (null when online or unknown). */
  readonly offlineSince: number | null;
  readonly lifecycle: string | null;
}

/**
 * A condition's verdict on a snapshot. `active` selects the clear side of a hysteresis band:
 * an active alarm keeps breaching until the value leaves the band (above 80, clear below 75:
 * 77 still breaches once raised, and does not raise).
 */
export function judge(condition: Condition, snapshot: Snapshot, active: boolean): Outcome {
  if ('all' in condition) {
    const parts = condition.all.map((c) => judge(c, snapshot, active));
    if (parts.includes('ok')) return 'ok';
    return parts.every((p) => p === 'breaching') ? 'breaching' : 'missing';
  }
  if ('any' in condition) {
    const parts = condition.any.map((c) => judge(c, snapshot, active));
    if (parts.includes('breaching')) return 'breaching';
    return parts.every((p) => p === 'ok') ? 'ok' : 'missing';
  }
  return judgeLeaf(condition, snapshot, active);
}

const verdict = (breaching: boolean): Outcome => (breaching ? 'breaching' : 'ok');

function judgeLeaf(c: LeafCondition, s: Snapshot, active: boolean): Outcome {
  if ('noDataFor' in c) {
    const since = c.field === undefined ? s.lastSeenAt : (s.fields[c.field]?.at ?? null);
    // Never heard from: nothing to measure silence from (the device's never-seen state is
    // its connectivity's business, not an alarm's).
    if (since === null) return 'missing';
    return verdict(s.at - since >= c.noDataFor * 1_000);
  }
  if ('offlineFor' in c) {
    if (s.online === null) return 'missing';
    return verdict(
      !s.online && s.offlineSince !== null && s.at - s.offlineSince >= c.offlineFor * 1_000,
    );
  }
  if ('lifecycle' in c) {
    if (s.lifecycle === null) return 'missing';
    return verdict((c.lifecycle as readonly string[]).includes(s.lifecycle));
  }
  const got = s.fields[c.field];
  if (got === undefined) return 'missing';
  const { value } = got;
  if ('equals' in c) return verdict(value === c.equals);
  if ('in' in c) return verdict(c.in.includes(value));
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'missing';
  if ('above' in c)
    return verdict(value > (active && c.clearBelow !== undefined ? c.clearBelow : c.above));
  if ('below' in c)
    return verdict(value < (active && c.clearAbove !== undefined ? c.clearAbove : c.below));
  if ('outside' in c) {
    const h = active ? (c.hysteresis ?? 0) : 0;
    return verdict(value < c.outside[0] + h || value > c.outside[1] - h);
  }
  if ('inside' in c) return verdict(value >= c.inside[0] && value <= c.inside[1]);
  const before = s.previous[c.field];
  if (before === undefined) return 'missing';
  return verdict(Math.abs(value - before) >= c.changeBy);
}

/** The fields a condition reads (to pick the rules a message can concern). */
export function fieldsOf(condition: Condition): string[] {
  if ('all' in condition) return [...new Set(condition.all.flatMap(fieldsOf))];
  if ('any' in condition) return [...new Set(condition.any.flatMap(fieldsOf))];
  return 'field' in condition && condition.field !== undefined ? [condition.field] : [];
}

/** Whether a condition can change with time alone (silence, offline): swept, not only judged on data. */
export function isTimeDriven(condition: Condition): boolean {
  if ('all' in condition) return condition.all.some(isTimeDriven);
  if ('any' in condition) return condition.any.some(isTimeDriven);
  return 'noDataFor' in condition || 'offlineFor' in condition;
}
