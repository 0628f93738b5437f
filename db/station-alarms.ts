import type { AlarmRule, Severity } from '../twins/alarms/rule';
import type { DeviceKey } from '../twins/ids';
import {
  commitJudgements,
  deviceContexts,
  type CommittedTransition,
  type LoadedRule,
} from './alarm-evaluation';
import { ALARM_STATES_CHANNEL } from './alarm-steady';
import type { Database } from './client';

/**
 * An alarm a station raises or clears itself (docs/ocpp.md, "Alarms on the station"): a 1.6
 * error code, a 2.0.1 event, or the NotifyEvent of a monitor set for a rule. `ruleId` is the
 * alarm's key on the device — the rule's own id for a monitor, else a synthetic
 * `ocpp:<alarmType>:<where>` (one active alarm per device, type and connector or variable).
 */
export interface StationAlarmChange {
  readonly ruleId: string;
  /** The rule's version for a monitor's alarm; 0 for a synthetic one. */
  readonly ruleVersion: number;
  readonly alarmType: string;
  /** What the alarm's details call its cause (the rule's name, or the station's). */
  readonly name: string;
  readonly severity: Severity;
  readonly raise: boolean;
  readonly details: Readonly<Record<string, unknown>>;
}

/** Lifecycle states whose devices raise nothing (as for rules). */
const SILENT = new Set(['retired', 'replaced']);

/**
 * Applies a station's alarm changes in one transaction, through the writer the rules use
 * (`commitJudgements`: the alarm entity, the audit entry in the tenant's ledger, muted while
 * the device is in maintenance). A raise of an alarm already active and a clear of one not
 * active change nothing (a station repeats itself on every reconnect). `clearAlso` names
 * further active alarms to clear (a 1.6 connector's earlier error). Answers what was committed.
 */
export async function applyStationAlarms(
  database: Database,
  key: DeviceKey,
  at: number,
  changes: readonly StationAlarmChange[],
  clearAlso: (ruleId: string) => boolean = () => false,
): Promise<CommittedTransition[]> {
  return database.sql.begin(async (tx) => {
    const [device] = await deviceContexts(tx, [key]);
    if (!device || SILENT.has(device.lifecycle)) return [];
    // A rule's window first, then its alarm: the order the ingest path locks them in.
    const ruleIds = [...new Set(changes.map((c) => c.ruleId).filter((id) => !isSynthetic(id)))];
    if (ruleIds.length > 0)
      await tx`
        select rule_id from alarm_states
        where tenant_id = ${key.tenantId} and device_id = ${key.deviceId}
          and rule_id = any(${ruleIds}::text[])
        order by rule_id
        for update`;
    const active = await tx<{ rule_id: string; alarm_type: string; rule_version: number }[]>`
      select rule_id, alarm_type, rule_version::int from alarms
      where tenant_id = ${key.tenantId} and device_id = ${key.deviceId} and status = 'active'
      order by alarm_id
      for update`;
    const activeIds = new Set(active.map((a) => a.rule_id));
    const raised = new Set(changes.filter((c) => c.raise).map((c) => c.ruleId));
    const transitions: Parameters<typeof commitJudgements>[3][number][] = [];
    const push = (change: StationAlarmChange, raise: boolean) =>
      transitions.push({
        tenantId: key.tenantId,
        deviceId: key.deviceId,
        ruleId: change.ruleId,
        transition: raise
          ? { kind: 'raise', severity: change.severity, at }
          : { kind: 'clear', at },
        muted: device.lifecycle === 'maintenance',
        details: { ...change.details, source: 'station' },
        actor: `station:${key.deviceId}`,
        device,
        rule: ruleOf(change),
      });
    for (const change of changes) {
      if (change.raise && !activeIds.has(change.ruleId)) push(change, true);
      else if (!change.raise && activeIds.has(change.ruleId)) push(change, false);
      // Each key once: a batch saying raise then clear keeps its last word per alarm below.
      activeIds[change.raise ? 'add' : 'delete'](change.ruleId);
    }
    for (const a of active)
      if (activeIds.has(a.rule_id) && !raised.has(a.rule_id) && clearAlso(a.rule_id)) {
        activeIds.delete(a.rule_id);
        push(
          {
            ruleId: a.rule_id,
            ruleVersion: a.rule_version,
            alarmType: a.alarm_type,
            name: a.alarm_type,
            severity: 'indeterminate',
            raise: false,
            details: {},
          },
          false,
        );
      }
    // The station cleared a rule's alarm: the gateway's window for the rule starts afresh (as
    // after an operator's clear), so its own next breach raises a new alarm.
    const forgotten = transitions
      .filter((t) => t.transition.kind === 'clear' && !isSynthetic(t.ruleId))
      .map((t) => t.ruleId);
    if (forgotten.length > 0)
      await tx`
        delete from alarm_states
        where tenant_id = ${key.tenantId} and device_id = ${key.deviceId}
          and rule_id = any(${forgotten}::text[])`;
    // Gateways holding the device forget the windows they knew (db/alarm-steady.ts).
    if (forgotten.length > 0)
      await tx`select pg_notify(${ALARM_STATES_CHANNEL}, ${JSON.stringify([key.tenantId, key.deviceId])})`;
    return commitJudgements(database, tx, [], transitions);
  }) as Promise<CommittedTransition[]>;
}

/** A station's own alarm key (`ocpp:…`); a rule id cannot contain `:`. */
export const isSynthetic = (ruleId: string) => ruleId.startsWith('ocpp:');

/** The rule the alarm writer names: the monitored rule's id and version, or a synthetic one. */
function ruleOf(change: StationAlarmChange): LoadedRule {
  return {
    ruleId: change.ruleId,
    version: change.ruleVersion,
    rule: { name: change.name, alarmType: change.alarmType } as AlarmRule,
    fields: new Set(),
  };
}
