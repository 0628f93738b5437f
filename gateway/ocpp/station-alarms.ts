import type { Logger } from 'pino';
import { deviceContexts, type LoadedRule, type RulesOf } from '../../db/alarm-evaluation';
import { applies } from '../../db/alarm-rule-index';
import type { Database } from '../../db/client';
import { findDeviceTwin } from '../../db/device-projection';
import { applyStationAlarms, isSynthetic, type StationAlarmChange } from '../../db/station-alarms';
import type { Severity } from '../../twins/alarms/rule';
import type { DeviceKey } from '../../twins/ids';
import type { DeviceProfile, OcppVariable } from '../../twins/profiles';
import type { SignedMeterValue } from '../../twins/sessions';
import type { CallOutcome } from './server-calls';

/** What a station said that may raise or clear alarms (from its CALL, after the schema). */
export type StationFacts =
  | {
      kind: 'status16';
      connectorId: number;
      errorCode: string;
      info?: string | undefined;
      vendorErrorCode?: string | undefined;
      at?: string | undefined;
    }
  | { kind: 'events'; events: readonly EventData201[] }
  /** Signed meter values of a transaction whose signature did not match the station's key. */
  | { kind: 'signatures'; transactionId: string; invalid: readonly SignedMeterValue[] };

/** One `eventData` of a 2.0.1 NotifyEvent. */
export interface EventData201 {
  eventId: number;
  timestamp: string;
  trigger: 'Alerting' | 'Delta' | 'Periodic';
  actualValue: string;
  cleared?: boolean;
  techCode?: string;
  techInfo?: string;
  variableMonitoringId?: number;
  eventNotificationType: string;
  component: { name: string; instance?: string; evse?: { id: number; connectorId?: number } };
  variable: { name: string; instance?: string };
}

/** One connected 2.0.1 station whose monitors this gateway keeps. */
export interface MonitoredStation {
  readonly key: DeviceKey;
  readonly model: string | null;
  readonly logger: Logger;
  call(action: string, payload: Record<string, unknown>): Promise<CallOutcome>;
  /** Tells the twin (reported state); null once the connection is gone. */
  report(state: Record<string, unknown>): Promise<void> | null;
}

/** A monitor as set on a station for a rule (the twin's reported `ocppMonitors.<ruleId>`). */
export interface MonitorRecord {
  /** The station's id of the monitor (null: never accepted). */
  id: number | null;
  ruleVersion: number;
  status: string;
  type: 'UpperThreshold' | 'LowerThreshold';
  value: number;
  severity: number;
  component: Record<string, unknown>;
  variable: Record<string, unknown>;
  at: string;
}

/** The rule severities on OCPP's 0 (danger) … 9 (debug) scale. */
export const OCPP_SEVERITY: Record<Severity, number> = {
  critical: 3,
  major: 4,
  minor: 5,
  warning: 6,
  indeterminate: 7,
};

type MonitorData = Omit<MonitorRecord, 'id' | 'status' | 'at' | 'ruleVersion'>;

/**
 * A threshold rule as a station's monitor, or null when the station cannot judge it: the
 * condition is one `above` or `below` on a field the profile maps to a component/variable.
 */
export function monitorOf(rule: LoadedRule, profile: DeviceProfile): MonitorData | null {
  const c = rule.rule.condition as Record<string, unknown>;
  const field = typeof c.field === 'string' ? c.field : undefined;
  const place = field === undefined ? undefined : profile.ocpp?.variables[field];
  if (!place) return null;
  const above = typeof c.above === 'number' ? c.above : undefined;
  const below = typeof c.below === 'number' ? c.below : undefined;
  if ((above === undefined) === (below === undefined)) return null;
  return {
    type: above !== undefined ? 'UpperThreshold' : 'LowerThreshold',
    value: (above ?? below)!,
    severity: OCPP_SEVERITY[rule.rule.severity],
    ...placeOf(place),
  };
}

function placeOf(v: OcppVariable) {
  const evse =
    v.evse === undefined
      ? {}
      : {
          evse: { id: v.evse, ...(v.connector !== undefined ? { connectorId: v.connector } : {}) },
        };
  return {
    component: {
      name: v.component,
      ...(v.componentInstance !== undefined ? { instance: v.componentInstance } : {}),
      ...evse,
    },
    variable: {
      name: v.variable,
      ...(v.variableInstance !== undefined ? { instance: v.variableInstance } : {}),
    },
  };
}

/**
 * A transaction's invalid meter signatures as its alarm (docs/ocpp.md, "Signed meter values"):
 * raised whatever the profile says — billing evidence that does not verify is never a matter
 * of configuration — one per transaction, cleared by an operator.
 */
export function signatureAlarm(
  transactionId: string,
  invalid: readonly SignedMeterValue[],
): StationAlarmChange {
  const [first] = invalid;
  const check = first?.verification;
  return {
    ruleId: `ocpp:MeterSignatureInvalid:tx:${transactionId}`,
    ruleVersion: 0,
    alarmType: 'MeterSignatureInvalid',
    name: 'OCMF meter signature invalid',
    severity: 'major',
    raise: true,
    details: {
      transactionId,
      invalidValues: invalid.length,
      at: first?.at ?? null,
      context: first?.context ?? null,
      reason: check?.reason ?? null,
      meterSerial: check?.meterSerial ?? null,
      pagination: check?.pagination ?? null,
      publicKey: check?.publicKey ?? null,
    },
  };
}

/** Where a 2.0.1 event happened, as the synthetic alarm key names it. */
const whereOf = (e: EventData201) => {
  const evse = e.component.evse;
  return `${e.component.name}/${e.variable.name}${
    evse ? `@${evse.id}${evse.connectorId !== undefined ? `.${evse.connectorId}` : ''}` : ''
  }`;
};

interface Attached {
  station: MonitoredStation;
  /** The monitors this gateway knows of on the station, by rule id. */
  monitors: Map<string, MonitorRecord & { sent: string | null }>;
  /** The rules (id@version) the monitors were last synced to. */
  rulesSeen: string | null;
  syncing: Promise<void>;
  /** Whether the monitors of earlier connections were read from the twin. */
  seeded: boolean;
}

export interface StationAlarmsOptions {
  database: Database;
  rulesFor(tenantIds: Iterable<string>): Promise<RulesOf>;
  profile(key: DeviceKey, model: string): Promise<DeviceProfile | null>;
  logger: Logger;
  /** A station cleared a rule's alarm, so the rule's window for the device was reset. */
  onWindowsReset?(key: DeviceKey): void;
  /** How often connected stations' monitors are compared with the rules; default 2 s. */
  syncIntervalMs?: number;
}

/**
 * Alarms pushed down to OCPP stations (docs/ocpp.md, "Alarms on the station"): 1.6 error codes
 * and 2.0.1 events become alarms through the device profile, and the threshold rules of a
 * 2.0.1 station that supports monitoring become its own monitors (SetVariableMonitoring), set
 * on boot and again when the rules change; the NotifyEvent of a monitor raises its rule's alarm.
 */
export class StationAlarms {
  private readonly attached = new Map<string, Attached>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly opts: StationAlarmsOptions) {
    this.timer = setInterval(() => void this.tick(), opts.syncIntervalMs ?? 2_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.attached.clear();
  }

  /** A 2.0.1 station's boot was accepted: its monitors are set (if its profile supports them). */
  attach(station: MonitoredStation): void {
    const name = nameOf(station.key);
    const entry: Attached = {
      station,
      monitors: new Map(),
      rulesSeen: null,
      syncing: Promise.resolve(),
      seeded: false,
    };
    this.attached.set(name, entry);
    entry.syncing = this.sync(entry);
  }

  detach(station: MonitoredStation): void {
    const name = nameOf(station.key);
    if (this.attached.get(name)?.station === station) this.attached.delete(name);
  }

  /** The alarms a station's CALL raises or clears, committed before the station is answered. */
  async apply(key: DeviceKey, model: string | null, facts: StationFacts): Promise<void> {
    if (facts.kind === 'signatures') {
      const [first] = facts.invalid;
      await applyStationAlarms(this.opts.database, key, timeOf(first?.at), [
        signatureAlarm(facts.transactionId, facts.invalid),
      ]);
      return;
    }
    const profile = model ? await this.opts.profile(key, model) : null;
    if (facts.kind === 'status16') {
      const section = profile?.alarms;
      if (!section) return;
      const { connectorId, errorCode } = facts;
      const mapped =
        errorCode === 'NoError' ? null : (section.errorCodes[errorCode] ?? section.default);
      const changes: StationAlarmChange[] = mapped
        ? [
            {
              ruleId: `ocpp:${mapped.alarmType}:${connectorId}`,
              ruleVersion: 0,
              alarmType: mapped.alarmType,
              name: `OCPP ${errorCode}`,
              severity: mapped.severity,
              raise: true,
              details: {
                connectorId,
                errorCode,
                ...(facts.vendorErrorCode !== undefined
                  ? { vendorErrorCode: facts.vendorErrorCode }
                  : {}),
                ...(facts.info !== undefined ? { info: facts.info } : {}),
              },
            },
          ]
        : [];
      // The connector's error is the one it reports now: an earlier one of it clears.
      const ofConnector = (ruleId: string) => {
        const parts = ruleId.split(':');
        return parts.length === 3 && parts[0] === 'ocpp' && parts[2] === String(connectorId);
      };
      await applyStationAlarms(this.opts.database, key, timeOf(facts.at), changes, ofConnector);
      return;
    }
    const entry = this.attached.get(nameOf(key));
    // A monitor's event waits for the monitors being set (its id may be in their answer).
    if (facts.events.some((e) => e.variableMonitoringId !== undefined)) await entry?.syncing;
    const changes: StationAlarmChange[] = [];
    let rules: readonly LoadedRule[] | null = null;
    for (const e of facts.events) {
      const monitored =
        e.variableMonitoringId === undefined
          ? undefined
          : [...(entry?.monitors ?? [])].find(([, m]) => m.id === e.variableMonitoringId);
      const details = {
        component: e.component,
        variable: e.variable,
        trigger: e.trigger,
        actualValue: e.actualValue,
        eventId: e.eventId,
        ...(e.techCode !== undefined ? { techCode: e.techCode } : {}),
        ...(e.techInfo !== undefined ? { techInfo: e.techInfo } : {}),
      };
      if (monitored) {
        const [ruleId, monitor] = monitored;
        rules ??= (await this.opts.rulesFor([key.tenantId]))(key.tenantId);
        const rule = rules.find((r) => r.ruleId === ruleId);
        if (!rule) {
          entry?.station.logger.warn({ ruleId, event: e.eventId }, 'event of a removed rule');
          continue;
        }
        changes.push({
          ruleId,
          ruleVersion: monitor.ruleVersion,
          alarmType: rule.rule.alarmType,
          name: rule.rule.name,
          severity: rule.rule.severity,
          raise: e.cleared !== true,
          details: { ...details, monitorId: monitor.id },
        });
        continue;
      }
      const mapped = profile?.alarms?.events.find(
        (m) => m.component === e.component.name && m.variable === e.variable.name,
      );
      if (!mapped) continue;
      const raise = mapped.when
        ? mapped.when.includes(e.actualValue) && e.cleared !== true
        : e.cleared !== true;
      // A periodic report of a variable raises nothing by itself (it may still clear).
      if (raise && !mapped.when && e.trigger === 'Periodic') continue;
      changes.push({
        ruleId: `ocpp:${mapped.alarmType}:${whereOf(e)}`,
        ruleVersion: 0,
        alarmType: mapped.alarmType,
        name: `OCPP ${e.component.name}.${e.variable.name}`,
        severity: mapped.severity,
        raise,
        details,
      });
    }
    if (changes.length === 0) return;
    const committed = await applyStationAlarms(
      this.opts.database,
      key,
      timeOf(facts.events[0]?.timestamp),
      changes,
    );
    // This gateway's own knowledge of the windows goes before the station's next message.
    if (committed.some((t) => t.transition.kind === 'clear' && !isSynthetic(t.ruleId)))
      this.opts.onWindowsReset?.(key);
  }

  /** The monitors the station had from earlier connections (their ids are replaced, not added). */
  private async seed(entry: Attached): Promise<void> {
    const twin = await findDeviceTwin(this.opts.database, entry.station.key);
    const known = (twin?.shadow.reported as Record<string, unknown> | undefined)?.ocppMonitors;
    if (!known || typeof known !== 'object') return;
    for (const [ruleId, m] of Object.entries(known as Record<string, MonitorRecord | null>))
      if (m && typeof m === 'object') entry.monitors.set(ruleId, { ...m, sent: null });
  }

  private async tick(): Promise<void> {
    const tenants = new Set([...this.attached.values()].map((a) => a.station.key.tenantId));
    if (tenants.size === 0) return;
    try {
      const rulesOf = await this.opts.rulesFor(tenants);
      for (const entry of this.attached.values()) {
        if (rulesSignature(rulesOf(entry.station.key.tenantId)) === entry.rulesSeen) continue;
        entry.syncing = entry.syncing.then(() => this.sync(entry));
      }
    } catch (error) {
      this.opts.logger.warn({ err: error }, 'alarm rules not read; station monitors kept');
    }
  }

  /** Sets the monitors the rules ask for that the station does not have, clears the rest. */
  private async sync(entry: Attached): Promise<void> {
    const { station } = entry;
    try {
      const rules = (await this.opts.rulesFor([station.key.tenantId]))(station.key.tenantId);
      entry.rulesSeen = rulesSignature(rules);
      // The profile as it was at boot: a profile's change reaches the station on its next boot.
      const profile = station.model ? await this.opts.profile(station.key, station.model) : null;
      if (!profile?.ocpp?.monitoring) return;
      if (!entry.seeded) {
        await this.seed(entry);
        entry.seeded = true;
      }
      const candidates = rules.filter((r) => r.rule.enabled && monitorOf(r, profile) !== null);
      const [device] =
        candidates.length > 0
          ? await deviceContexts(this.opts.database.sql as never, [station.key])
          : [];
      const wanted = new Map<string, { rule: LoadedRule; data: MonitorData }>();
      for (const rule of candidates)
        if (device && applies(rule.rule, device))
          wanted.set(rule.ruleId, { rule, data: monitorOf(rule, profile)! });

      const changed = [...wanted].filter(
        ([ruleId, w]) =>
          entry.monitors.get(ruleId)?.sent !== JSON.stringify([w.rule.version, w.data]),
      );
      const report: Record<string, MonitorRecord | null> = {};
      if (changed.length > 0) {
        const setMonitoringData = changed.map(([ruleId, w]) => {
          const id = entry.monitors.get(ruleId)?.id;
          return { ...(typeof id === 'number' ? { id } : {}), ...w.data };
        });
        const outcome = await station.call('SetVariableMonitoring', { setMonitoringData });
        const results = outcome.ok
          ? ((outcome.payload.setMonitoringResult as Array<{ id?: number; status: string }>) ?? [])
          : [];
        const at = new Date().toISOString();
        changed.forEach(([ruleId, w], i) => {
          const result = results[i];
          const before = entry.monitors.get(ruleId);
          const status = outcome.ok ? (result?.status ?? 'NoAnswer') : outcome.code;
          const record: MonitorRecord = {
            id: status === 'Accepted' ? (result?.id ?? before?.id ?? null) : (before?.id ?? null),
            ruleVersion: w.rule.version,
            status,
            ...w.data,
            at,
          };
          // A refusal is final for this rule version; a lost answer is tried on the next sync.
          entry.monitors.set(ruleId, {
            ...record,
            sent: outcome.ok ? JSON.stringify([w.rule.version, w.data]) : null,
          });
          if (!outcome.ok) entry.rulesSeen = null;
          report[ruleId] = record;
        });
      }
      const gone = [...entry.monitors].filter(([ruleId]) => !wanted.has(ruleId));
      const ids = gone.flatMap(([, m]) => (typeof m.id === 'number' ? [m.id] : []));
      const cleared =
        ids.length === 0 || (await station.call('ClearVariableMonitoring', { id: ids })).ok;
      // Not cleared (no answer): kept, and tried again on the next sync.
      if (!cleared) entry.rulesSeen = null;
      else
        for (const [ruleId] of gone) {
          entry.monitors.delete(ruleId);
          report[ruleId] = null;
        }
      if (Object.keys(report).length > 0) await station.report({ ocppMonitors: report });
    } catch (error) {
      entry.rulesSeen = null;
      station.logger.warn({ err: error }, 'station monitors not synced; tried again');
    }
  }
}

const nameOf = (key: DeviceKey) => `${key.tenantId}\u0000${key.deviceId}`;
const timeOf = (at: string | undefined) => {
  const t = at === undefined ? NaN : Date.parse(at);
  return Number.isFinite(t) ? t : Date.now();
};
const signatures = new WeakMap<readonly LoadedRule[], string>();
/** The rules' ids and versions; made once per list read (every station of a tenant shares it). */
function rulesSignature(rules: readonly LoadedRule[]): string {
  let signature = signatures.get(rules);
  if (signature === undefined) {
    signature = rules.map((r) => `${r.ruleId}@${r.version}`).join(',');
    signatures.set(rules, signature);
  }
  return signature;
}
