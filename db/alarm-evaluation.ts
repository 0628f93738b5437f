import type { TransactionSql } from 'postgres';
import {
  initialRuleState,
  isCalm,
  step,
  type AlarmTransition,
  type RuleState,
} from '../twins/alarms/evaluate';
import { fieldsOf, judge, type FieldValue, type Snapshot } from '../twins/alarms/condition';
import type { AlarmRule, Condition } from '../twins/alarms/rule';
import { jsonEqual } from '../twins/json-equal';
import { writeAudit, type AuditRow } from './audit-writer';
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
}

export type Fields = Record<string, { value: FieldValue; at: number; previous?: number }>;

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

const keyOf = (tenantId: string, deviceId: string) => `${tenantId}\u0000${deviceId}`;

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
  return {
    at,
    fields,
    previous: Object.fromEntries(
      Object.entries(fields).flatMap(([f, v]) =>
        v.previous === undefined ? [] : [[f, v.previous]],
      ),
    ),
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
  out: Record<string, FieldValue> = {},
  depth = 0,
): Record<string, FieldValue> {
  for (const [k, v] of Object.entries(document)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[path] = v;
    else if (v && typeof v === 'object' && !Array.isArray(v) && depth < 7)
      flattenFields(v as Record<string, unknown>, path, out, depth + 1);
  }
  return out;
}

export function applies(rule: AlarmRule, device: DeviceContext): boolean {
  const { deviceProfile, assetType, siteId } = rule.scope;
  return (
    (deviceProfile === undefined || deviceProfile === device.model) &&
    (assetType === undefined || assetType === device.asset_type) &&
    (siteId === undefined || siteId === device.site_id)
  );
}

/**
 * Judges the datapoints of an ingest batch against the rules that apply to their devices,
 * inside the batch's own transaction (docs/alarms.md, "Where rules are evaluated"): the
 * devices' rule states are locked and read in one statement, each datapoint folded through
 * the pure `step` in arrival order, the changed states and the alarm entities written, each
 * transition an audit entry in the tenant's ledger. No Temporal action, and no statement at
 * all when no rule reads a field the batch carries.
 */
export async function evaluateAlarms(
  database: Database,
  tx: TransactionSql,
  datapoints: readonly AlarmDatapoint[],
  rulesOf: RulesOf,
): Promise<CommittedTransition[]> {
  // Per tenant, the rules by the field they read and the device profile they name ('*': any):
  // a datapoint meets only the rules that read one of its fields for its device's model,
  // however many rules the tenant has (docs/alarms.md).
  const indexes = new Map<string, Map<string, Map<string, LoadedRule[]>>>();
  const indexOf = (tenantId: string) => {
    let index = indexes.get(tenantId);
    if (!index) {
      index = new Map();
      for (const rule of rulesOf(tenantId))
        for (const f of rule.fields) {
          const byModel = index.get(f) ?? new Map<string, LoadedRule[]>();
          const model = rule.rule.scope.deviceProfile ?? '*';
          byModel.set(model, [...(byModel.get(model) ?? []), rule]);
          index.set(f, byModel);
        }
      indexes.set(tenantId, index);
    }
    return index;
  };
  const readersOf = (d: AlarmDatapoint, model: string | null): LoadedRule[] => {
    const index = indexOf(d.tenantId);
    const found = new Set<LoadedRule>();
    for (const f of Object.keys(d.fields)) {
      const byModel = index.get(f);
      if (!byModel) continue;
      for (const r of byModel.get('*') ?? []) found.add(r);
      if (model !== null) for (const r of byModel.get(model) ?? []) found.add(r);
    }
    return [...found];
  };
  const relevant = datapoints
    .filter((d) => Object.keys(d.fields).some((f) => indexOf(d.tenantId).has(f)))
    .map((d) => ({ d, rules: [] as LoadedRule[] }));
  if (relevant.length === 0) return [];
  const keys = [...new Map(relevant.map(({ d }) => [keyOf(d.tenantId, d.deviceId), d])).values()];
  const contexts = await deviceContexts(tx, keys);
  const contextOf = new Map(contexts.map((c) => [keyOf(c.tenant_id, c.device_id), c]));

  // The (device, rule) pairs the batch concerns, and their states, locked in key order.
  const pairs = new Map<string, { device: DeviceContext; rule: LoadedRule }>();
  for (const entry of relevant) {
    const { d } = entry;
    const device = contextOf.get(keyOf(d.tenantId, d.deviceId));
    if (!device || SILENT.has(device.lifecycle)) continue;
    entry.rules = readersOf(d, device.model).filter((rule) => applies(rule.rule, device));
    for (const rule of entry.rules)
      pairs.set(`${keyOf(d.tenantId, d.deviceId)}\u0000${rule.ruleId}`, { device, rule });
  }
  if (pairs.size === 0) return [];
  const list = [...pairs.values()];
  type Stored = {
    tenant_id: string;
    device_id: string;
    rule_id: string;
    state: RuleState;
    fields: Fields;
  };
  const lockRows = (of: typeof list) => tx<Stored[]>`
    select s.tenant_id, s.device_id, s.rule_id, s.state, s.fields from alarm_states s
    join unnest(${of.map((p) => p.device.tenant_id)}::text[],
      ${of.map((p) => p.device.device_id)}::text[], ${of.map((p) => p.rule.ruleId)}::text[])
      as k(tenant_id, device_id, rule_id)
      on s.tenant_id = k.tenant_id and s.device_id = k.device_id and s.rule_id = k.rule_id
    order by s.tenant_id, s.device_id, s.rule_id
    for update of s`;
  const pairKeyOf = (tenantId: string, deviceId: string, ruleId: string) =>
    `${keyOf(tenantId, deviceId)}\u0000${ruleId}`;
  const stored = await lockRows(list);
  const found = new Set(stored.map((s) => pairKeyOf(s.tenant_id, s.device_id, s.rule_id)));
  const missing = list.filter(
    (p) => !found.has(pairKeyOf(p.device.tenant_id, p.device.device_id, p.rule.ruleId)),
  );
  if (missing.length > 0) {
    // A pair judged for the first time gets its row, then its lock: two batches of one device
    // meet on the row instead of both starting from nothing.
    await tx`
      insert into alarm_states (tenant_id, device_id, rule_id, state, fields)
      select tenant_id, device_id, rule_id, ${JSON.stringify(initialRuleState)}::jsonb, '{}'::jsonb
      from unnest(${missing.map((p) => p.device.tenant_id)}::text[],
        ${missing.map((p) => p.device.device_id)}::text[], ${missing.map((p) => p.rule.ruleId)}::text[])
        as k(tenant_id, device_id, rule_id)
      order by 1, 2, 3
      on conflict do nothing`;
    stored.push(...(await lockRows(missing)));
  }
  const current = new Map<string, { state: RuleState; fields: Fields }>(
    stored.map((s) => [`${keyOf(s.tenant_id, s.device_id)}\u0000${s.rule_id}`, s]),
  );

  const changed = new Set<string>();
  const transitions: Array<CommittedTransition & { device: DeviceContext; rule: LoadedRule }> = [];
  for (const { d, rules } of relevant) {
    for (const rule of rules) {
      const pairKey = `${keyOf(d.tenantId, d.deviceId)}\u0000${rule.ruleId}`;
      const pair = pairs.get(pairKey);
      if (!pair) continue;
      const before = current.get(pairKey) ?? { state: initialRuleState, fields: {} };
      const keep = keepOf(rule.rule);
      // The common case, cheaply: a calm rule that keeps nothing, judged calm again.
      if (
        keep.nothing &&
        isCalm(before.state, rule.rule) &&
        judge(rule.rule.condition, plainSnapshot(d, pair.device), false) === 'ok'
      )
        continue;
      const fields: Fields = { ...before.fields };
      for (const f of rule.fields) {
        const value = d.fields[f];
        if (value === undefined) continue;
        const old = fields[f];
        fields[f] = {
          value,
          at: d.at,
          ...(typeof old?.value === 'number' ? { previous: old.value } : {}),
        };
      }
      const snapshot = snapshotOf(pair.device, fields, d.at, d.at);
      const next = step(before.state, rule.rule, snapshot);
      // Kept: only what the rule reads later, so that a calm device's row stops changing.
      const after = {
        state: keep.lastAt ? next.state : { ...next.state, lastAt: null },
        fields: kept(fields, keep),
      };
      current.set(pairKey, after);
      if (!jsonEqual(after, { state: before.state, fields: before.fields })) changed.add(pairKey);
      for (const transition of next.transitions)
        transitions.push({
          tenantId: d.tenantId,
          deviceId: d.deviceId,
          ruleId: rule.ruleId,
          transition,
          muted: pair.device.lifecycle === 'maintenance',
          device: pair.device,
          rule,
        });
    }
  }

  const rows = [...changed].map((k) => {
    const [tenant_id, device_id, rule_id] = k.split('\u0000') as [string, string, string];
    const { state, fields } = current.get(k)!;
    return { tenant_id, device_id, rule_id, state, fields };
  });
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

/** What a rule's row keeps between datapoints (everything else is the datapoint's own). */
interface Keep {
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
}

const keeps = new WeakMap<AlarmRule, Keep>();

function keepOf(rule: AlarmRule): Keep {
  let keep = keeps.get(rule);
  if (!keep) {
    const at = new Set<string>();
    const previous = new Set<string>();
    let silence = false;
    const walk = (c: Condition): void => {
      if ('all' in c) return c.all.forEach(walk);
      if ('any' in c) return c.any.forEach(walk);
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
    };
    keeps.set(rule, keep);
  }
  return keep;
}

function kept(fields: Fields, keep: Keep): Fields {
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
  for (const t of transitions) {
    const at = new Date(t.transition.at).toISOString();
    const subject = `device:${t.deviceId}`;
    if (t.transition.kind === 'raise') {
      await tx`
        insert into alarms (tenant_id, device_id, rule_id, rule_version, alarm_type, severity,
          status, muted, asset_id, site_id, customer_id, raised_at, details, updated_at)
        values (${t.tenantId}, ${t.deviceId}, ${t.ruleId}, ${t.rule.version},
          ${t.rule.rule.alarmType}, ${t.transition.severity}, 'active', ${t.muted},
          ${t.device.asset_id}, ${t.device.site_id}, ${t.device.customer_id}, ${at},
          ${JSON.stringify({ rule: t.rule.rule.name })}::jsonb, ${at})
        on conflict (tenant_id, device_id, rule_id) where status = 'active' do nothing`;
    } else if (t.transition.kind === 'severity') {
      await tx`
        update alarms set severity = ${t.transition.to}, updated_at = ${at}
        where tenant_id = ${t.tenantId} and device_id = ${t.deviceId} and rule_id = ${t.ruleId}
          and status = 'active'`;
    } else {
      await tx`
        update alarms set status = 'cleared', cleared_at = ${at}, cleared_by = 'condition',
          updated_at = ${at}
        where tenant_id = ${t.tenantId} and device_id = ${t.deviceId} and rule_id = ${t.ruleId}
          and status = 'active'`;
    }
    audit.push({
      tenantId: t.tenantId,
      actor: `rule:${t.ruleId}`,
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
  // Each raise is a fault occurrence of its fingerprint (docs/alarms.md "Fault fingerprints").
  await recordFaults(tx, raisedFaults(transitions));
}
