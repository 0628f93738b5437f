import { z } from 'zod';

/**
 * Quirk rules: per-model repairs of known non-compliance, declared in the device profile, so
 * a charger that sends numbers where the spec wants strings, or an over-long serial number,
 * is repaired (and counted) instead of validation being switched off for everyone.
 */
export const quirkFixSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('to-string') }),
  z.strictObject({ kind: z.literal('to-number') }),
  z.strictObject({ kind: z.literal('truncate'), maxLength: z.number().int().positive() }),
  z.strictObject({
    kind: z.literal('rename'),
    to: z.string().regex(/^[^.*]+$/, 'a plain property name'),
  }),
  z.strictObject({ kind: z.literal('default'), value: z.json() }),
  z.strictObject({ kind: z.literal('drop') }),
]);

export const quirkRuleSchema = z.strictObject({
  /** Names the rule in counters and logs. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a rule id is a lower-case slug'),
  description: z.string().min(1),
  /** The message it applies to (an OCPP action such as BootNotification); all when omitted. */
  action: z.string().min(1).optional(),
  /** A dot path into the payload; `*` walks every element of an array or every property. */
  path: z
    .string()
    .regex(/^[^.]+(\.[^.]+)*$/, 'a dot path such as meterValue.*.sampledValue.*.value'),
  fix: quirkFixSchema,
});

export type QuirkRule = z.output<typeof quirkRuleSchema>;
type Fix = QuirkRule['fix'];

/**
 * Applies the rules that match `action` to a copy of the payload and names the rules that
 * changed something. A rule that finds nothing to repair is not counted.
 *
 * @example applyQuirks(rules, 'BootNotification', { chargePointSerialNumber: 'X'.repeat(40) })
 *   // → { payload: { chargePointSerialNumber: 'XXXXXXXXXXXXXXXXXXXXXXXXX' }, applied: ['long-serial'] }
 */
export function applyQuirks(
  rules: readonly QuirkRule[],
  action: string,
  payload: unknown,
): { payload: unknown; applied: string[] } {
  const matching = rules.filter((r) => r.action === undefined || r.action === action);
  if (matching.length === 0) return { payload, applied: [] };
  const copy = JSON.parse(JSON.stringify(payload ?? null)) as unknown;
  const applied = matching
    .filter((rule) => repair(copy, rule.path.split('.'), rule.fix) > 0)
    .map((r) => r.id);
  return { payload: copy, applied };
}

/** Walks to the parent of the last segment and fixes the property there; returns repairs made. */
function repair(node: unknown, path: readonly string[], fix: Fix): number {
  if (typeof node !== 'object' || node === null) return 0;
  const [head, ...rest] = path as [string, ...string[]];
  const container = node as Record<string, unknown>;
  const keys = head === '*' ? Object.keys(container) : [head];
  let count = 0;
  for (const key of keys) {
    if (rest.length > 0) count += repair(container[key], rest, fix);
    else if (!Array.isArray(container) || head === '*') count += fixProperty(container, key, fix);
  }
  return count;
}

function fixProperty(container: Record<string, unknown>, key: string, fix: Fix): number {
  const present = Object.hasOwn(container, key);
  const value = container[key];
  switch (fix.kind) {
    case 'to-string':
      if (typeof value !== 'number' && typeof value !== 'boolean') return 0;
      container[key] = String(value);
      return 1;
    case 'to-number': {
      if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(Number(value)))
        return 0;
      container[key] = Number(value);
      return 1;
    }
    case 'truncate':
      if (typeof value !== 'string' || value.length <= fix.maxLength) return 0;
      container[key] = value.slice(0, fix.maxLength);
      return 1;
    case 'rename':
      if (!present || Object.hasOwn(container, fix.to)) return 0;
      container[fix.to] = value;
      delete container[key];
      return 1;
    case 'default':
      if (present) return 0;
      container[key] = fix.value;
      return 1;
    case 'drop':
      if (!present) return 0;
      delete container[key];
      return 1;
  }
}
