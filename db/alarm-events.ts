import { sql } from 'drizzle-orm';
import type {
  AlarmEvent,
  AlarmEventState,
  AlarmEventKind,
} from '../twins/alarms/notification-channel';
import type { Severity } from '../twins/alarms/rule';
import { appendChangesToOutbox, type OutboxChange } from './outbox-writer';
import type { Tx } from './device-projection';

/** An alarm row as a writer holds it: drizzle's (camelCase) or a raw statement's (snake_case). */
export type AlarmRowLike = Record<string, unknown>;

const pick = (row: AlarmRowLike, camel: string, snake: string) =>
  (row[camel] !== undefined ? row[camel] : row[snake]) as unknown;

const iso = (v: unknown): string | null =>
  v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v);

/** The alarm as an event carries it (without the version, given when recorded). */
export function alarmStateOf(row: AlarmRowLike): Omit<AlarmEventState, 'version'> {
  const text = (camel: string, snake = camel) => iso(pick(row, camel, snake));
  return {
    alarmId: String(pick(row, 'alarmId', 'alarm_id')),
    deviceId: text('deviceId', 'device_id')!,
    ruleId: text('ruleId', 'rule_id')!,
    alarmType: text('alarmType', 'alarm_type')!,
    severity: text('severity') as Severity,
    status: text('status') as 'active' | 'cleared',
    acknowledged: Boolean(pick(row, 'acknowledged', 'acknowledged')),
    assignee: text('assignee'),
    muted: Boolean(pick(row, 'muted', 'muted')),
    assetId: text('assetId', 'asset_id'),
    siteId: text('siteId', 'site_id'),
    customerId: text('customerId', 'customer_id'),
    raisedAt: new Date(text('raisedAt', 'raised_at')!).toISOString(),
    clearedAt: text('clearedAt', 'cleared_at'),
    clearedBy: text('clearedBy', 'cleared_by'),
  };
}

/** One transition to record: the alarm right after it, and what happened. */
export interface AlarmTransitionRecord {
  readonly tenantId: string;
  readonly alarm: AlarmRowLike;
  readonly type: AlarmEventKind;
  readonly at: string;
  readonly actor: string;
  readonly reason?: string | undefined;
  readonly from?: unknown;
  readonly to?: unknown;
}

/**
 * Records alarm transitions as outbox events (aggregate type `alarm`, id the alarm id, version
 * the alarm's own count of transitions), in the caller's transaction: a transition and its
 * event commit together or not at all. The notification router and the `alarmEvents`
 * subscription read them from there (docs/alarms.md, "Notifications"). Takes the outbox order
 * lock: call it late in the transaction.
 */
export async function recordAlarmEvents(
  tx: Tx,
  records: readonly AlarmTransitionRecord[],
): Promise<void> {
  if (records.length === 0) return;
  const states = records.map((r) => ({ record: r, state: alarmStateOf(r.alarm) }));
  // One counter bump per alarm (a statement may not touch a row twice), n at once.
  const counts = new Map<string, { tenantId: string; alarmId: string; n: number }>();
  for (const { record, state } of states) {
    const key = `${record.tenantId}\u0000${state.alarmId}`;
    const c = counts.get(key) ?? { tenantId: record.tenantId, alarmId: state.alarmId, n: 0 };
    c.n += 1;
    counts.set(key, c);
  }
  const bumped = await tx.execute<{ tenant_id: string; alarm_id: string; version: string }>(sql`
    insert into alarm_event_versions (tenant_id, alarm_id, version)
    select tenant_id, alarm_id, n
    from jsonb_to_recordset(${JSON.stringify([...counts.values()].map((c) => ({ tenant_id: c.tenantId, alarm_id: c.alarmId, n: c.n })))}::jsonb)
      as r(tenant_id text, alarm_id bigint, n bigint)
    on conflict (tenant_id, alarm_id)
    do update set version = alarm_event_versions.version + excluded.version
    returning tenant_id, alarm_id::text as alarm_id, version::text as version`);
  const next = new Map<string, number>();
  for (const b of bumped) {
    const key = `${b.tenant_id}\u0000${b.alarm_id}`;
    next.set(key, Number(b.version) - counts.get(key)!.n + 1);
  }
  const changes: OutboxChange[] = states.map(({ record, state }) => {
    const key = `${record.tenantId}\u0000${state.alarmId}`;
    const version = next.get(key)!;
    next.set(key, version + 1);
    const event: AlarmEvent = {
      type: record.type,
      at: record.at,
      actor: record.actor,
      ...(record.reason !== undefined ? { reason: record.reason } : {}),
      ...(record.from !== undefined ? { from: record.from } : {}),
      ...(record.to !== undefined ? { to: record.to } : {}),
    };
    return {
      aggregate: { type: 'alarm', tenantId: record.tenantId, id: state.alarmId },
      event,
      state: { ...state, version },
    };
  });
  await appendChangesToOutbox(tx, changes);
}

/** A rule's transition (the ingest path, the sweep) as an event of the alarm it moved. */
export function ruleEvent(
  tenantId: string,
  ruleId: string,
  transition: { kind: 'raise' | 'clear' | 'severity'; from?: Severity; to?: Severity },
  alarm: AlarmRowLike,
  at: string,
): AlarmTransitionRecord {
  const type = ({ raise: 'raised', clear: 'cleared', severity: 'severity-changed' } as const)[
    transition.kind
  ];
  return {
    tenantId,
    alarm,
    type,
    at,
    actor: `rule:${ruleId}`,
    reason: transition.kind === 'clear' ? 'condition' : `rule ${ruleId}`,
    ...(transition.kind === 'severity' ? { from: transition.from, to: transition.to } : {}),
  };
}
