import { z } from 'zod';
import { ID_PATTERN } from '../ids';
import { LIFECYCLE_STATES } from '../device/state';

/** Most severe first; an alarm's severity is one of these (ThingsBoard's and X.733's five). */
export const SEVERITIES = ['critical', 'major', 'minor', 'warning', 'indeterminate'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Higher is more severe. */
export const severityRank = (s: Severity): number => SEVERITIES.length - SEVERITIES.indexOf(s);

const MAX_LEAVES = 20;
const MAX_DEPTH = 4;
const DAY_S = 86_400;

const id = z.string().regex(ID_PATTERN, 'a slug: letters, digits, . _ - (at most 64)');
/** A canonical field of the device profile (telemetry or state), or a dot path into reported. */
const field = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+){0,7}$/,
    'a field name or a dot path such as battery.temperature',
  );
const seconds = z
  .number()
  .int()
  .min(1)
  .max(30 * DAY_S);
const scalar = z.union([z.string().max(256), z.number(), z.boolean()]);
const pair = z
  .tuple([z.number(), z.number()])
  .refine(([lo, hi]) => lo <= hi, 'a range is [low, high] with low ≤ high');

/*
 * Leaves. A leaf reads one input of the device: a field's newest value (numeric comparisons,
 * ranges, change since the previous value, equality), how long a field or the device has been
 * silent, whether it has been offline, or its lifecycle state.
 */
const above = z
  .strictObject({ field, above: z.number(), clearBelow: z.number().optional() })
  .refine((c) => c.clearBelow === undefined || c.clearBelow <= c.above, {
    message: 'clearBelow (the hysteresis band) must be ≤ above',
    path: ['clearBelow'],
  });
const below = z
  .strictObject({ field, below: z.number(), clearAbove: z.number().optional() })
  .refine((c) => c.clearAbove === undefined || c.clearAbove >= c.below, {
    message: 'clearAbove (the hysteresis band) must be ≥ below',
    path: ['clearAbove'],
  });
const outside = z
  .strictObject({ field, outside: pair, hysteresis: z.number().min(0).optional() })
  .refine(
    (c) => c.hysteresis === undefined || c.outside[0] + c.hysteresis <= c.outside[1] - c.hysteresis,
    { message: 'the hysteresis band is wider than the range', path: ['hysteresis'] },
  );
const inside = z.strictObject({ field, inside: pair });
const changeBy = z.strictObject({ field, changeBy: z.number().positive() });
const equals = z.strictObject({ field, equals: scalar });
const oneOf = z.strictObject({ field, in: z.array(scalar).min(1).max(50) });
const noData = z.strictObject({ noDataFor: seconds, field: field.optional() });
const offline = z.strictObject({ offlineFor: seconds });
const lifecycle = z.strictObject({ lifecycle: z.array(z.enum(LIFECYCLE_STATES)).min(1) });

const leaf = z.union([
  above,
  below,
  outside,
  inside,
  changeBy,
  equals,
  oneOf,
  noData,
  offline,
  lifecycle,
]);
export type LeafCondition = z.infer<typeof leaf>;
export type Condition = LeafCondition | { all: Condition[] } | { any: Condition[] };

const condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    leaf,
    z.strictObject({ all: z.array(condition).min(1).max(MAX_LEAVES) }),
    z.strictObject({ any: z.array(condition).min(1).max(MAX_LEAVES) }),
  ]),
);

function shape(c: Condition, depth = 1): { leaves: number; depth: number } {
  if ('all' in c || 'any' in c) {
    const parts = ('all' in c ? c.all : c.any).map((p) => shape(p, depth + 1));
    return {
      leaves: parts.reduce((n, p) => n + p.leaves, 0),
      depth: Math.max(...parts.map((p) => p.depth)),
    };
  }
  return { leaves: 1, depth };
}

const escalationStep = z.strictObject({
  /** Seconds the condition has kept breaching since the alarm was raised. */
  afterSeconds: seconds,
  severity: z.enum(SEVERITIES),
});

/** Where a rule applies: every part given must match (a device of this profile at this site…). */
const scope = z
  .strictObject({
    deviceProfile: id.optional(),
    assetType: z.string().min(1).max(64).optional(),
    siteId: id.optional(),
  })
  .refine((s) => s.deviceProfile || s.assetType || s.siteId, {
    message: 'a rule applies to a device profile, an asset type or a site (at least one)',
  });

/**
 * An alarm rule as data (GraphQL `createAlarmRule`, docs/alarms.md). Anti-flap: an alarm is
 * raised when `raise.datapoints` of the last `raise.of` datapoints breach (CloudWatch's
 * DatapointsToAlarm of EvaluationPeriods) and the breach has lasted `startDelaySeconds`; it
 * clears after `clear.consecutive` datapoints in a row that do not breach (Device Defender)
 * and `resolveDelaySeconds`; thresholds may carry a hysteresis band (`clearBelow`,
 * `clearAbove`, `hysteresis`). With `periodSeconds` a gap in the data counts as missing
 * datapoints, treated by `missingData` (CloudWatch's TreatMissingData).
 *
 * @example alarmRuleSchema.parse({ name: 'Hot charger', alarmType: 'OverTemperature',
 *   scope: { deviceProfile: 'acme-wallbox-22' }, severity: 'major',
 *   condition: { field: 'temperature', above: 80, clearBelow: 75 },
 *   raise: { datapoints: 3, of: 5 }, clear: { consecutive: 3 },
 *   escalation: [{ afterSeconds: 900, severity: 'critical' }] })
 */
export const alarmRuleSchema = z
  .strictObject({
    name: z.string().min(1).max(128),
    /** What kind of problem this is (one active alarm per device and rule; types group them). */
    alarmType: z
      .string()
      .regex(
        /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/,
        'a type such as OverTemperature or ocpp.GroundFailure',
      ),
    description: z.string().max(2_000).optional(),
    scope,
    severity: z.enum(SEVERITIES),
    condition,
    raise: z
      .strictObject({
        datapoints: z.number().int().min(1).max(64),
        of: z.number().int().min(1).max(64),
      })
      .refine((r) => r.datapoints <= r.of, {
        message: 'raise.datapoints must be ≤ raise.of',
        path: ['datapoints'],
      })
      .default({ datapoints: 1, of: 1 }),
    clear: z
      .strictObject({ consecutive: z.number().int().min(1).max(64) })
      .default({ consecutive: 1 }),
    startDelaySeconds: z.number().int().min(0).max(DAY_S).default(0),
    resolveDelaySeconds: z.number().int().min(0).max(DAY_S).default(0),
    periodSeconds: seconds.optional(),
    missingData: z.enum(['missing', 'ignore', 'breaching', 'notBreaching']).default('missing'),
    escalation: z.array(escalationStep).max(4).default([]),
    /** Back to the rule's severity once the condition has not breached for this long. */
    deescalateAfterSeconds: seconds.optional(),
    enabled: z.boolean().default(true),
  })
  .superRefine((rule, ctx) => {
    const { leaves, depth } = shape(rule.condition);
    if (leaves > MAX_LEAVES)
      ctx.addIssue({
        code: 'custom',
        path: ['condition'],
        message: `at most ${MAX_LEAVES} conditions`,
      });
    if (depth > MAX_DEPTH)
      ctx.addIssue({
        code: 'custom',
        path: ['condition'],
        message: `nested at most ${MAX_DEPTH} deep`,
      });
    let last = { afterSeconds: 0, rank: severityRank(rule.severity) };
    rule.escalation.forEach((step, i) => {
      const rank = severityRank(step.severity);
      if (step.afterSeconds <= last.afterSeconds || rank <= last.rank)
        ctx.addIssue({
          code: 'custom',
          path: ['escalation', i],
          message: 'each step comes later and is more severe than the one before (and the rule)',
        });
      last = { afterSeconds: step.afterSeconds, rank };
    });
  });

export type AlarmRule = z.infer<typeof alarmRuleSchema>;
export type AlarmRuleInput = z.input<typeof alarmRuleSchema>;
