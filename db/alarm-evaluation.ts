import type { TransactionSql } from 'postgres';
import {
  initialRuleState,
  isCalm,
  step,
  type AlarmTransition,
  type RuleState,
} from '../twins/alarms/evaluate';
import { judge, type FieldValue, type Snapshot } from '../twins/alarms/condition';
import type { AlarmRule } from '../twins/alarms/rule';
import { keepOf, kept, type Fields } from '../twins/alarms/keep';
import { jsonEqual } from '../twins/json-equal';
import { applicableReaders, applies, indexOf, readersFor } from './alarm-rule-index';
import { writeAudit, type AuditRow } from './audit-writer';
import type { SteadyLesson, SteadyPairs } from './alarm-steady';
import { recordAlarmEvents, ruleEvent, type AlarmTransitionRecord } from './alarm-events';
import { drizzleIn, type Database } from './client';
import { raisedFaults, recordFaults } from './fault-fingerprints';

/** An enabled rule as the evaluator holds it: the fields it reads, precomputed. */
export interface LoadedRule {
  readonly ruleId: string;
  readonly version: number;
  readonly rule: AlarmRule;
  readonly fields: ReadonlySet<string>;
}

/** A tenant's enabled rules (a cache in the gateway; empty: nothing to evaluate, no cost). */
export type RulesOf = (tenantId: string) => readonly LoadedRule[];

/** One arrival of data from one device: a telemetry sample or a report, flattened to fields. */
export interface AlarmDatapoint {
  readonly tenantId: string;
  readonly deviceId: string;
  /** ms since the epoch. */
  readonly at: number;
  /** Field (or dot path) → scalar value. */
  readonly fields: Readonly<Record<string, FieldValue>>;
}

/** A transition of an alarm entity, as committed. */
export interface CommittedTransition {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly ruleId: string;
  readonly transition: AlarmTransition;
  readonly muted: boolean;
  /** Kept with a raised alarm besides the rule's name (a station's connector, its error code). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Who the audit entry names; default `rule:<ruleId>`. */
  readonly actor?: string;
}

export type { Fields } from '../twins/alarms/keep';

/** Where a device stands, as the rules read it (its record, and its asset's type). */
export interface DeviceContext {
  tenant_id: string;
  device_id: string;
  model: string | null;
  lifecycle: string;
  connectivity: string;
  connectivity_since: string | null;
  asset_id: string | null;
  site_id: string | null;
  customer_id: string | null;
  asset_type: string | null;
}

/** Lifecycle states whose devices raise nothing (their alarms were cleared when they left). */
const SILENT = new Set(['retired', 'replaced']);

/** A device's key in the evaluators' maps (the sweep, the steady pairs, the ingest paths). */
export const deviceKeyOf = (tenantId: string, deviceId: string) => `${tenantId}\u0000${deviceId}`;
const keyOf = deviceKeyOf;

/** The devices' contexts, in one statement. */
export function deviceContexts(
  tx: TransactionSql,
  keys: ReadonlyArray<{ tenantId: string; deviceId: string }>,
) {
  return tx<DeviceContext[]>`
    select d.tenant_id, d.device_id, d.model, d.lifecycle, d.connectivity,
      d.connectivity_since::text, d.asset_id, d.site_id, d.customer_id, a.kind as asset_type
    from device_twins d
    join unnest(${keys.map((k) => k.tenantId)}::text[], ${keys.map((k) => k.deviceId)}::text[])
      as k(tenant_id, device_id) on d.tenant_id = k.tenant_id and d.device_id = k.device_id
    left join assets a on a.tenant_id = d.tenant_id and a.asset_id = d.asset_id`;
}

/** A device as a rule judges it at `at`: its fields as last seen, its connectivity, its lifecycle. */
export function snapshotOf(
  device: DeviceContext,
  fields: Fields,
  at: number,
  lastSeenAt: number | null,
): Snapshot {
  const offline = device.connectivity === 'offline';
  const previous: Record<string, number> = {};
  for (const f in fields) {
    const before = fields[f]!.previous;
    if (before !== undefined) previous[f] = before;
  }
  return {
    at,
    fields,
    previous,
    lastSeenAt,
    online: device.connectivity === 'unknown' ? null : !offline,
    offlineSince:
      offline && device.connectivity_since ? Date.parse(device.connectivity_since) : null,
    lifecycle: device.lifecycle,
  };
}

/** Every scalar of a document as `a.b.c` → value (what rules name fields by). */
export function flattenFields(
  document: Readonly<Record<string, unknown>>,
  prefix = '',
  out?: Record<string, FieldValue>,
  depth = 0,
): Record<string, FieldValue> {
  // Flat already (a telemetry sample, mostly): the document itself, nothing copied.
  if (out === undefined) {
    let flat = true;
    for (const k in document) {
      const t = typeof document[k];
      if (t !== 'number' && t !== 'string' && t !== 'boolean') {
        flat = false;
        break;
      }
    }
    if (flat) return document as Record<string, FieldValue>;
    out = {};
  }
  for (const [k, v] of Object.entries(document)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[path] = v;
    else if (v && typeof v === 'object' && !Array.isArray(v) && depth < 7)
      flattenFields(v as Record<string, unknown>, path, out, depth + 1);
  }
  return out;
}

/** One device's rule as a batch judges it: the datapoints that carry a field it reads, in order. */
interface Pair {
  readonly device: DeviceContext;
  readonly rule: LoadedRule;
  readonly points: AlarmDatapoint[];
}

type Stored = {
  tenant_id: string;
  device_id: string;
  rule_id: string;
  state: RuleState;
  fields: Fields;
};

const pairKeyOf = (tenantId: string, deviceId: string, ruleId: string) =>
  `${keyOf(tenantId, deviceId)}\u0000${ruleId}`;

/**
 * Judges the datapoints of an ingest batch against the rules that apply to their devices,
 * inside the batch's own transaction (docs/alarms.md, "Where rules are evaluated"): the
 * devices' rule states are locked and read in one statement, each datapoint folded through
 * the pure `step` in arrival order, the changed states and the alarm entities written, each
 * transition an audit entry in the tenant's ledger. No Temporal action, and no statement at
 * all when no rule reads a field the batch carries.
 *
 * The work is per device and rule, not per datapoint and rule: a device's rules are found
 * once per batch (from an index built once per load of the tenant's rules), each rule meets
 * only the datapoints carrying a field it reads, and a calm rule that keeps nothing costs one
 * judgement per datapoint (docs/alarms.md, "What it costs").
 */
export async function evaluateAlarms(
  database: Database,
  tx: TransactionSql,
  datapoints: readonly AlarmDatapoint[],
  rulesOf: RulesOf,
  steady?: { readonly pairs: SteadyPairs; readonly lessons: SteadyLesson[] },
): Promise<CommittedTransition[]> {
  // The devices whose datapoints carry a field some rule of their tenant reads.
  const devices = new Map<
    string,
    { tenantId: string; deviceId: string; points: AlarmDatapoint[] }
  >();
  for (const d of datapoints) {
    const rules = rulesOf(d.tenantId);
    if (rules.length === 0) continue;
    const { byField } = indexOf(rules);
    let read = false;
    for (const f in d.fields)
      if (byField.has(f)) {
        read = true;
        break;
      }
    if (!read) continue;
    const key = keyOf(d.tenantId, d.deviceId);
    const entry = devices.get(key);
    if (entry) entry.points.push(d);
    else devices.set(key, { tenantId: d.tenantId, deviceId: d.deviceId, points: [d] });
  }
  if (devices.size === 0) return [];
  const contexts = await deviceContexts(tx, [...devices.values()]);

  // Each device's applicable rules, with the datapoints each of them reads.
  const pairs: Pair[] = [];
  const generations = new Map<DeviceContext, number>();
  for (const device of contexts) {
    if (SILENT.has(device.lifecycle)) continue;
    const entry = devices.get(keyOf(device.tenant_id, device.device_id));
    if (!entry) continue;
    const readers = readersFor(indexOf(rulesOf(device.tenant_id)), device.model);
    const pointsOf = new Map<LoadedRule, AlarmDatapoint[] | null>();
    const first = pairs.length;
    for (const d of entry.points)
      for (const f in d.fields) {
        const rules = readers.get(f);
        if (!rules) continue;
        for (const rule of rules) {
          let points = pointsOf.get(rule);
          if (points === undefined) {
            points = applies(rule.rule, device) ? [] : null;
            pointsOf.set(rule, points);
            if (points) pairs.push({ device, rule, points });
          }
          // A datapoint with two fields the rule reads is judged once.
          if (points && points[points.length - 1] !== d) points.push(d);
        }
      }
    if (steady)
      generations.set(
        device,
        steady.pairs.begin(
          device.tenant_id,
          device.device_id,
          pairs.slice(first).map((p) => p.rule),
        ),
      );
  }
  if (pairs.length === 0) return [];

  // Their states, locked in key order; a pair judged for the first time gets its row first.
  const lockRows = (of: readonly Pair[]) => tx<Stored[]>`
    select s.tenant_id, s.device_id, s.rule_id, s.state, s.fields from alarm_states s
    join unnest(${of.map((p) => p.device.tenant_id)}::text[],
      ${of.map((p) => p.device.device_id)}::text[], ${of.map((p) => p.rule.ruleId)}::text[])
      as k(tenant_id, device_id, rule_id)
      on s.tenant_id = k.tenant_id and s.device_id = k.device_id and s.rule_id = k.rule_id
    order by s.tenant_id, s.device_id, s.rule_id
    for update of s`;
  const stored = new Map<string, Stored>();
  for (const s of await lockRows(pairs))
    stored.set(pairKeyOf(s.tenant_id, s.device_id, s.rule_id), s);
  const missing = pairs.filter(
    (p) => !stored.has(pairKeyOf(p.device.tenant_id, p.device.device_id, p.rule.ruleId)),
  );
  if (missing.length > 0) {
    // Two batches of one device meet on the row instead of both starting from nothing.
    await tx`
      insert into alarm_states (tenant_id, device_id, rule_id, state, fields)
      select tenant_id, device_id, rule_id, ${JSON.stringify(initialRuleState)}::jsonb, '{}'::jsonb
      from unnest(${missing.map((p) => p.device.tenant_id)}::text[],
        ${missing.map((p) => p.device.device_id)}::text[], ${missing.map((p) => p.rule.ruleId)}::text[])
        as k(tenant_id, device_id, rule_id)
      order by 1, 2, 3
      on conflict do nothing`;
    for (const s of await lockRows(missing))
      stored.set(pairKeyOf(s.tenant_id, s.device_id, s.rule_id), s);
  }

  const rows: RuleStateRow[] = [];
  const settled = new Map<DeviceContext, Map<LoadedRule, RuleState | null>>();
  const transitions: Array<CommittedTransition & { device: DeviceContext; rule: LoadedRule }> = [];
  for (const { device, rule, points } of pairs) {
    const row = stored.get(pairKeyOf(device.tenant_id, device.device_id, rule.ruleId));
    const before = row
      ? { state: row.state, fields: row.fields }
      : { state: initialRuleState, fields: {} };
    const keep = keepOf(rule.rule);
    let { state, fields } = before;
    for (const d of points) {
      // The common case, cheaply: a calm rule that keeps nothing, judged calm again.
      if (
        keep.nothing &&
        isCalm(state, rule.rule) &&
        judge(rule.rule.condition, plainSnapshot(d, device), false) === 'ok'
      )
        continue;
      const seen: Fields = { ...fields };
      for (const f of rule.fields) {
        const value = d.fields[f];
        if (value === undefined) continue;
        const old = seen[f];
        seen[f] = {
          value,
          at: d.at,
          ...(typeof old?.value === 'number' ? { previous: old.value } : {}),
        };
      }
      const next = step(state, rule.rule, snapshotOf(device, seen, d.at, d.at));
      // Kept: only what the rule reads later, so that a calm device's row stops changing.
      state = keep.lastAt ? next.state : { ...next.state, lastAt: null };
      fields = kept(seen, keep);
      for (const transition of next.transitions)
        transitions.push({
          tenantId: device.tenant_id,
          deviceId: device.device_id,
          ruleId: rule.ruleId,
          transition,
          muted: device.lifecycle === 'maintenance',
          device,
          rule,
        });
    }
    if (steady) {
      let lesson = settled.get(device);
      if (!lesson) settled.set(device, (lesson = new Map()));
      // Known to the gateway when the state is all the rule keeps (alarm-steady.ts).
      lesson.set(rule, keep.nothing && keep.valuesOnly ? state : null);
    }
    if (state !== before.state && !jsonEqual({ state, fields }, before))
      rows.push({
        tenant_id: device.tenant_id,
        device_id: device.device_id,
        rule_id: rule.ruleId,
        state,
        fields,
      });
  }
  if (steady)
    for (const [device, states] of settled) {
      const rules = rulesOf(device.tenant_id);
      steady.lessons.push({
        tenantId: device.tenant_id,
        deviceId: device.device_id,
        rules,
        readers: applicableReaders(readersFor(indexOf(rules), device.model), device),
        states,
        generation: generations.get(device) ?? 0,
      });
    }
  return commitJudgements(database, tx, rows, transitions);
}

type RuleStateRow = {
  tenant_id: string;
  device_id: string;
  rule_id: string;
  state: RuleState;
  fields: Fields;
};

/** The judged states and the alarm entities they moved, written; the transitions committed. */
export async function commitJudgements(
  database: Database,
  tx: TransactionSql,
  states: readonly RuleStateRow[],
  transitions: ReadonlyArray<CommittedTransition & { device: DeviceContext; rule: LoadedRule }>,
): Promise<CommittedTransition[]> {
  await writeRuleStates(tx, states);
  if (transitions.length > 0) await writeAlarms(database, tx, transitions);
  return transitions.map(({ tenantId, deviceId, ruleId, transition, muted }) => ({
    tenantId,
    deviceId,
    ruleId,
    transition,
    muted,
  }));
}

const plainSnapshots = new WeakMap<AlarmDatapoint, Snapshot>();

/** A datapoint as a rule that keeps nothing judges it (made once per datapoint). */
function plainSnapshot(d: AlarmDatapoint, device: DeviceContext): Snapshot {
  let snapshot = plainSnapshots.get(d);
  if (!snapshot) {
    const fields: Fields = {};
    for (const [f, value] of Object.entries(d.fields)) fields[f] = { value, at: d.at };
    snapshot = snapshotOf(device, fields, d.at, d.at);
    plainSnapshots.set(d, snapshot);
  }
  return snapshot;
}

/** Where each (device, rule) now stands, in one statement. */
async function writeRuleStates(tx: TransactionSql, rows: readonly RuleStateRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx`
    insert into alarm_states (tenant_id, device_id, rule_id, state, fields)
    select tenant_id, device_id, rule_id, state, fields
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as r(tenant_id text, device_id text, rule_id text, state jsonb, fields jsonb)
    on conflict (tenant_id, device_id, rule_id)
    do update set state = excluded.state, fields = excluded.fields`;
}

/** The alarm entities follow the transitions: raised, severity changed, cleared by the rule. */
async function writeAlarms(
  database: Database,
  tx: TransactionSql,
  transitions: ReadonlyArray<CommittedTransition & { device: DeviceContext; rule: LoadedRule }>,
): Promise<void> {
  const audit: AuditRow[] = [];
  const events: AlarmTransitionRecord[] = [];
  for (const t of transitions) {
    const at = new Date(t.transition.at).toISOString();
    const subject = `device:${t.deviceId}`;
    let rows: readonly Record<string, unknown>[];
    if (t.transition.kind === 'raise') {
      rows = await tx`
        insert into alarms (tenant_id, device_id, rule_id, rule_version, alarm_type, severity,
          status, muted, asset_id, site_id, customer_id, raised_at, details, updated_at)
        values (${t.tenantId}, ${t.deviceId}, ${t.ruleId}, ${t.rule.version},
          ${t.rule.rule.alarmType}, ${t.transition.severity}, 'active', ${t.muted},
          ${t.device.asset_id}, ${t.device.site_id}, ${t.device.customer_id}, ${at},
          ${JSON.stringify({ rule: t.rule.rule.name, ...t.details })}::jsonb, ${at})
        on conflict (tenant_id, device_id, rule_id) where status = 'active' do nothing
        returning *`;
    } else if (t.transition.kind === 'severity') {
      rows = await tx`
        update alarms set severity = ${t.transition.to}, updated_at = ${at}
        where tenant_id = ${t.tenantId} and device_id = ${t.deviceId} and rule_id = ${t.ruleId}
          and status = 'active' returning *`;
    } else {
      rows = await tx`
        update alarms set status = 'cleared', cleared_at = ${at}, cleared_by = 'condition',
          updated_at = ${at}
        where tenant_id = ${t.tenantId} and device_id = ${t.deviceId} and rule_id = ${t.ruleId}
          and status = 'active' returning *`;
    }
    for (const alarm of rows) {
      const event = ruleEvent(t.tenantId, t.ruleId, t.transition, alarm, at);
      events.push(t.actor ? { ...event, actor: t.actor } : event);
    }
    audit.push({
      tenantId: t.tenantId,
      actor: t.actor ?? `rule:${t.ruleId}`,
      role: 'system',
      operation: `alarm.${t.transition.kind}`,
      subject,
      input: { ruleId: t.ruleId, ruleVersion: t.rule.version, alarmType: t.rule.rule.alarmType },
      outcome: 'ok',
      after: t.transition,
      at,
    });
  }
  await writeAudit(drizzleIn(database, tx) as never, audit);
  await recordAlarmEvents(drizzleIn(database, tx) as never, events);
  // Each raise is a fault occurrence of its fingerprint (docs/alarms.md "Fault fingerprints").
  await recordFaults(tx, raisedFaults(transitions));
}
