import { fieldsOf, type FieldValue } from './condition';
import type { AlarmRule, Condition } from './rule';

/** A rule's row: the newest and previous values of the fields it reads, and when each came. */
export type Fields = Record<string, { value: FieldValue; at: number; previous?: number }>;

/** What a rule's row keeps between datapoints (everything else is the datapoint's own). */
export interface Keep {
  /** Values of every field (a condition over several fields judges the newest of each). */
  readonly values: boolean;
  /** When each of these fields came (`noDataFor` a field). */
  readonly at: ReadonlySet<string>;
  /** The value before the newest, of these fields (`changeBy`). */
  readonly previous: ReadonlySet<string>;
  /** When the last datapoint came (gaps with `periodSeconds`, silence with `noDataFor`). */
  readonly lastAt: boolean;
  /** None of the above: the datapoint alone decides. */
  readonly nothing: boolean;
  /** The condition reads values only (no silence, connectivity or lifecycle). */
  readonly valuesOnly: boolean;
}

const keeps = new WeakMap<AlarmRule, Keep>();

export function keepOf(rule: AlarmRule): Keep {
  let keep = keeps.get(rule);
  if (!keep) {
    const at = new Set<string>();
    const previous = new Set<string>();
    let silence = false;
    let valuesOnly = true;
    const walk = (c: Condition): void => {
      if ('all' in c) return c.all.forEach(walk);
      if ('any' in c) return c.any.forEach(walk);
      if ('noDataFor' in c || 'offlineFor' in c || 'lifecycle' in c) valuesOnly = false;
      if ('noDataFor' in c) {
        silence = true;
        if (c.field !== undefined) at.add(c.field);
      }
      if ('changeBy' in c) previous.add(c.field);
    };
    walk(rule.condition);
    const values = new Set(fieldsOf(rule.condition)).size > 1;
    const lastAt = silence || rule.periodSeconds !== undefined;
    keep = {
      values,
      at,
      previous,
      lastAt,
      nothing: !values && !lastAt && at.size === 0 && previous.size === 0,
      valuesOnly,
    };
    keeps.set(rule, keep);
  }
  return keep;
}

export function kept(fields: Fields, keep: Keep): Fields {
  const out: Fields = {};
  for (const [f, v] of Object.entries(fields)) {
    const value = keep.values || keep.previous.has(f);
    if (!value && !keep.at.has(f)) continue;
    out[f] = {
      value: v.value,
      at: keep.at.has(f) ? v.at : 0,
      ...(keep.previous.has(f) && v.previous !== undefined ? { previous: v.previous } : {}),
    };
  }
  return out;
}
