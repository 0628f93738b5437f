import { fieldsOf, isTimeDriven } from '../twins/alarms/condition';
import { initialRuleState, sweep, type RuleState } from '../twins/alarms/evaluate';
import type { AlarmRule, Condition } from '../twins/alarms/rule';
import { applies } from './alarm-rule-index';
import {
  deviceContexts,
  deviceKeyOf,
  snapshotOf,
  commitJudgements,
  type CommittedTransition,
  type DeviceContext,
  type Fields,
  type LoadedRule,
} from './alarm-evaluation';
import type { Database } from './client';

/** The shortest silence a condition waits for (`noDataFor`), in ms; null: none. */
function silenceMs(condition: Condition): number | null {
  if ('all' in condition || 'any' in condition) {
    const parts = ('all' in condition ? condition.all : condition.any)
      .map(silenceMs)
      .filter((n): n is number => n !== null);
    return parts.length ? Math.min(...parts) : null;
  }
  return 'noDataFor' in condition ? condition.noDataFor * 1_000 : null;
}

function readsOffline(condition: Condition): boolean {
  if ('all' in condition) return condition.all.some(readsOffline);
  if ('any' in condition) return condition.any.some(readsOffline);
  return 'offlineFor' in condition;
}

/** Whether a rule has anything time alone can change: silence, offline, delays, escalation. */
const needsSweeps = (rule: AlarmRule) =>
  isTimeDriven(rule.condition) ||
  rule.startDelaySeconds > 0 ||
  rule.resolveDelaySeconds > 0 ||
  rule.escalation.length > 0 ||
  rule.deescalateAfterSeconds !== undefined;

type SweptRule = { tenantId: string; loaded: LoadedRule };

/** The rules time can change, as last read, and what the table looked like then. */
const swept = new WeakMap<Database, { stamp: string; rules: SweptRule[] }>();

/**
 * The enabled rules that need sweeps, read again only when the rules table changed (a rule's
 * every change bumps its version and its `updated_at`): a sweep every few seconds does not
 * parse every tenant's rules each time.
 */
async function sweptRules(database: Database): Promise<SweptRule[]> {
  const [{ stamp } = { stamp: '' }] = await database.sql<{ stamp: string }[]>`
    select concat_ws('/', count(*), sum(version), max(updated_at)) as stamp from alarm_rules
    where enabled and not deleted`;
  const known = swept.get(database);
  if (known?.stamp === stamp) return known.rules;
  const rows = await database.sql<
    { tenant_id: string; rule_id: string; version: number; definition: AlarmRule }[]
  >`
    select tenant_id, rule_id, version::int as version, definition from alarm_rules
    where enabled and not deleted`;
  const rules = rows
    .filter((r) => needsSweeps(r.definition))
    .map((r) => ({
      tenantId: r.tenant_id,
      loaded: {
        ruleId: r.rule_id,
        version: r.version,
        rule: r.definition,
        fields: new Set(fieldsOf(r.definition.condition)),
      } satisfies LoadedRule,
    }));
  swept.set(database, { stamp, rules });
  return rules;
}

/**
 * The fleet's alarm sweep (run by the worker with the grace sweeper, docs/alarms.md): what
 * time alone changes — a device silent or offline for long enough, a start or resolve delay
 * come due, a severity escalating or calming down — judged at `now` for the (device, rule)
 * pairs where something can be due, at most `limit` of them, locked (skip locked: several
 * workers share the work). Returns the transitions it committed.
 */
export async function sweepAlarms(
  database: Database,
  options: { now?: Date; limit?: number } = {},
): Promise<CommittedTransition[]> {
  const now = (options.now ?? new Date()).getTime();
  const limit = options.limit ?? 2_000;
  const rules = await sweptRules(database);
  if (rules.length === 0) return [];
  const ruleOf = new Map(rules.map((r) => [`${r.tenantId}\u0000${r.loaded.ruleId}`, r.loaded]));

  return database.sql.begin(async (tx) => {
    const due = await tx<
      { tenant_id: string; device_id: string; rule_id: string; state: RuleState; fields: Fields }[]
    >`
      select s.tenant_id, s.device_id, s.rule_id, s.state, s.fields
      from alarm_states s
      join unnest(${rules.map((r) => r.tenantId)}::text[], ${rules.map((r) => r.loaded.ruleId)}::text[],
        ${rules.map((r) => String(silenceMs(r.loaded.rule.condition) ?? ''))}::text[],
        ${rules.map((r) => (readsOffline(r.loaded.rule.condition) ? 'yes' : ''))}::text[])
        as k(tenant_id, rule_id, silence_ms, offline_rule)
        on s.tenant_id = k.tenant_id and s.rule_id = k.rule_id
      join device_twins d on d.tenant_id = s.tenant_id and d.device_id = s.device_id
      where s.state->>'severity' is not null
        or s.state->>'pendingSince' is not null
        or s.state->>'clearingSince' is not null
        or (k.silence_ms <> '' and (s.state->>'lastAt')::float8 <= ${now} - k.silence_ms::float8)
        or (k.offline_rule = 'yes' and d.connectivity = 'offline')
      order by s.tenant_id, s.device_id, s.rule_id
      limit ${limit}
      for update of s skip locked`;
    // Offline devices an offline rule has not judged yet (no state row): their first sweep.
    const fresh: Array<{ tenant_id: string; device_id: string; rule_id: string }> = [];
    for (const r of rules.filter((x) => readsOffline(x.loaded.rule.condition))) {
      const { deviceProfile, siteId } = r.loaded.rule.scope;
      fresh.push(
        ...(await tx<{ tenant_id: string; device_id: string; rule_id: string }[]>`
          select d.tenant_id, d.device_id, ${r.loaded.ruleId}::text as rule_id
          from device_twins d
          where d.tenant_id = ${r.tenantId} and d.connectivity = 'offline'
            and d.lifecycle not in ('retired', 'replaced')
            and (${deviceProfile ?? null}::text is null or d.model = ${deviceProfile ?? null})
            and (${siteId ?? null}::text is null or d.site_id = ${siteId ?? null})
            and not exists (select 1 from alarm_states s where s.tenant_id = d.tenant_id
              and s.device_id = d.device_id and s.rule_id = ${r.loaded.ruleId})
          order by d.device_id
          limit ${limit}`),
      );
    }
    const pairs = [
      ...due,
      ...fresh.map((f) => ({ ...f, state: initialRuleState, fields: {} as Fields })),
    ];
    if (pairs.length === 0) return [];
    const contexts = await deviceContexts(tx, [
      ...new Map(
        pairs.map((p) => [
          deviceKeyOf(p.tenant_id, p.device_id),
          { tenantId: p.tenant_id, deviceId: p.device_id },
        ]),
      ).values(),
    ]);
    const contextOf = new Map(contexts.map((c) => [deviceKeyOf(c.tenant_id, c.device_id), c]));
    const changed: Array<{
      tenant_id: string;
      device_id: string;
      rule_id: string;
      state: RuleState;
      fields: Fields;
    }> = [];
    const transitions: Array<CommittedTransition & { device: DeviceContext; rule: LoadedRule }> =
      [];
    for (const pair of pairs) {
      const rule = ruleOf.get(`${pair.tenant_id}\u0000${pair.rule_id}`);
      const device = contextOf.get(deviceKeyOf(pair.tenant_id, pair.device_id));
      if (!rule || !device || !applies(rule.rule, device)) continue;
      const snapshot = snapshotOf(device, pair.fields, now, pair.state.lastAt);
      const next = sweep(pair.state, rule.rule, snapshot, isTimeDriven(rule.rule.condition));
      if (JSON.stringify(next.state) !== JSON.stringify(pair.state))
        changed.push({ ...pair, state: next.state });
      for (const transition of next.transitions)
        transitions.push({
          tenantId: pair.tenant_id,
          deviceId: pair.device_id,
          ruleId: pair.rule_id,
          transition,
          muted: device.lifecycle === 'maintenance',
          device,
          rule,
        });
    }
    return commitJudgements(database, tx, changed, transitions);
  });
}
