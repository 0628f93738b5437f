import { sql } from 'drizzle-orm';
import type { LifecycleEffect } from '../twins/device';
import type { AlarmTransitionRecord } from './alarm-events';
import type { AuditRow } from './audit-writer';
import type { Tx } from './device-projection';

export interface LifecycleTransition {
  readonly to: string;
  readonly at: string;
  readonly actor: string;
  readonly reason: string;
  readonly effects: readonly LifecycleEffect[];
}

/** Lifecycle states that end a device's alarms: its replacement's alarms start fresh. */
const ENDING = new Set(['retired', 'replaced']);

/**
 * What a device's lifecycle does to its alarms, in the transaction of the change: muted in
 * maintenance (shown, not notified), unmuted when it leaves, cleared when it is retired or
 * replaced (and its rule states forgotten). Returns the audit rows of the alarms it cleared,
 * for the caller's `writeAudit` (one ledger append per transaction), and the alarm events
 * (cleared, muted, unmuted) for its `recordAlarmEvents` after that (the outbox lock last).
 */
export async function applyAlarmEffects(
  tx: Tx,
  device: { tenantId: string; deviceId: string },
  transitions: readonly LifecycleTransition[],
): Promise<{ audit: AuditRow[]; events: AlarmTransitionRecord[] }> {
  const audit: AuditRow[] = [];
  const events: AlarmTransitionRecord[] = [];
  const event =
    (t: LifecycleTransition, type: AlarmTransitionRecord['type']) =>
    (alarm: Record<string, unknown>) =>
      events.push({
        tenantId: device.tenantId,
        alarm,
        type,
        at: t.at,
        actor: t.actor,
        reason: `device ${t.to}: ${t.reason}`,
      });
  for (const t of transitions) {
    const where = sql`tenant_id = ${device.tenantId} and device_id = ${device.deviceId} and status = 'active'`;
    if (ENDING.has(t.to)) {
      const cleared = await tx.execute<{ alarm_id: number; rule_id: string }>(sql`
        update alarms set status = 'cleared', cleared_at = ${t.at}, cleared_by = ${t.to},
          updated_at = ${t.at}
        where ${where} returning *`);
      cleared.forEach(event(t, 'cleared'));
      await tx.execute(sql`delete from alarm_states
        where tenant_id = ${device.tenantId} and device_id = ${device.deviceId}`);
      for (const row of cleared)
        audit.push({
          tenantId: device.tenantId,
          actor: t.actor,
          role: 'system',
          operation: 'alarm.clear',
          subject: `device:${device.deviceId}`,
          reason: `device ${t.to}: ${t.reason}`,
          input: { alarmId: row.alarm_id, ruleId: row.rule_id },
          outcome: 'ok',
          at: t.at,
        });
    } else if (t.effects.includes('mute-alarms') || t.effects.includes('unmute-alarms')) {
      const muted = t.effects.includes('mute-alarms');
      const changed = await tx.execute(
        sql`update alarms set muted = ${muted}, updated_at = ${t.at}
          where ${where} and muted <> ${muted} returning *`,
      );
      changed.forEach(event(t, muted ? 'muted' : 'unmuted'));
    }
  }
  return { audit, events };
}
