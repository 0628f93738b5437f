import { z } from 'zod';
import { SEVERITIES, severityRank, type Severity } from './rule';

/** What happened to an alarm: the kinds of its events (outbox aggregate type `alarm`). */
export const ALARM_EVENT_KINDS = [
  'raised',
  'severity-changed',
  'acknowledged',
  'assigned',
  'cleared',
  'muted',
  'unmuted',
] as const;
export type AlarmEventKind = (typeof ALARM_EVENT_KINDS)[number];

/** The alarm as it stood right after an event (the event's `state`). */
export interface AlarmEventState {
  readonly version: number;
  readonly alarmId: string;
  readonly deviceId: string;
  readonly ruleId: string;
  readonly alarmType: string;
  readonly severity: Severity;
  readonly status: 'active' | 'cleared';
  readonly acknowledged: boolean;
  readonly assignee: string | null;
  readonly muted: boolean;
  readonly assetId: string | null;
  readonly siteId: string | null;
  readonly customerId: string | null;
  readonly raisedAt: string;
  readonly clearedAt: string | null;
  readonly clearedBy: string | null;
}

/** One transition of an alarm: who (actor), why (reason), and what it moved (from/to). */
export interface AlarmEvent {
  readonly type: AlarmEventKind;
  readonly at: string;
  /** `rule:<ruleId>`, `user:<sub>`, `key:<keyId>`, a lifecycle actor. */
  readonly actor: string;
  readonly reason?: string;
  readonly from?: unknown;
  readonly to?: unknown;
}

const id = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'an id: letters, digits, . _ : -');

/**
 * Which alarm events reach a channel or a subscription. Every part given must match; muted
 * alarms never reach a channel (a subscription sees them, marked).
 */
export const alarmRoutingSchema = z
  .object({
    /** This severity or a more severe one. */
    minSeverity: z.enum(SEVERITIES).optional(),
    /** One of these severities (instead of, or with, minSeverity). */
    severities: z.array(z.enum(SEVERITIES)).min(1).max(5).optional(),
    /** Alarms raised at one of these sites / customers (where the device sat when raised). */
    siteIds: z.array(id).min(1).max(100).optional(),
    customerIds: z.array(id).min(1).max(100).optional(),
    /** Event kinds; default every kind but muted and unmuted. */
    kinds: z.array(z.enum(ALARM_EVENT_KINDS)).min(1).max(7).optional(),
  })
  .strict();
export type AlarmRouting = z.infer<typeof alarmRoutingSchema>;

/** The kinds a routing without `kinds` takes: what a person needs to hear about. */
export const DEFAULT_NOTIFIED_KINDS: readonly AlarmEventKind[] = [
  'raised',
  'severity-changed',
  'acknowledged',
  'assigned',
  'cleared',
];

/** Whether an event of an alarm in this state passes the routing (muted left to the caller). */
export function routes(
  routing: AlarmRouting,
  kind: string,
  state: Pick<AlarmEventState, 'severity' | 'siteId' | 'customerId'>,
): boolean {
  const kinds: readonly string[] = routing.kinds ?? DEFAULT_NOTIFIED_KINDS;
  if (!kinds.includes(kind)) return false;
  if (routing.minSeverity && severityRank(state.severity) < severityRank(routing.minSeverity))
    return false;
  if (routing.severities && !routing.severities.includes(state.severity)) return false;
  if (routing.siteIds && (state.siteId === null || !routing.siteIds.includes(state.siteId)))
    return false;
  if (
    routing.customerIds &&
    (state.customerId === null || !routing.customerIds.includes(state.customerId))
  )
    return false;
  return true;
}

const seconds = (max: number) => z.number().int().min(1).max(max);

const common = {
  name: z.string().min(1).max(200),
  enabled: z.boolean().default(true),
  routing: alarmRoutingSchema.default({}),
  /** immediate: a message per event; digest: one message every `digestEverySeconds`. */
  mode: z.enum(['immediate', 'digest']).default('immediate'),
  digestEverySeconds: seconds(86_400).optional(),
  /** Re-notify critical alarms not yet acknowledged, every this many seconds, until acknowledged or cleared. */
  reminderEverySeconds: seconds(86_400).optional(),
};

/** A notification channel (docs/alarms.md, "Notifications"). */
export const notificationChannelSchema = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('webhook'),
        url: z.url({ protocol: /^https?$/ }).max(2048),
        ...common,
      })
      .strict(),
    z
      .object({
        kind: z.literal('email'),
        to: z.array(z.email()).min(1).max(50),
        ...common,
      })
      .strict(),
  ])
  .refine((c) => c.mode === 'immediate' || c.digestEverySeconds !== undefined, {
    message: 'digest mode needs digestEverySeconds',
    path: ['digestEverySeconds'],
  });
export type NotificationChannel = z.infer<typeof notificationChannelSchema>;
