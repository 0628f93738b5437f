import { afterAll, describe, expect, inject, it } from 'vitest';
import { seedDevices } from '../bench/connections/records';
import { createDatabase } from '../db/client';
import type { LoadedRule } from '../db/alarm-evaluation';
import { changeAlarmRule, createAlarmRule, loadEnabledAlarmRules } from '../db/alarm-rule-store';
import { sweepAlarms } from '../db/alarm-sweep';
import { SteadyPairs } from '../db/alarm-steady';
import { insertTelemetry } from '../db/telemetry-store';
import { fieldsOf } from '../twins/alarms/condition';
import { alarmRuleSchema, type AlarmRuleInput } from '../twins/alarms/rule';
import { countingDatabase } from './support/counting-database';
import { uniqueTenant } from './support/stack';

/**
 * Alarm rules judged where telemetry arrives (db/alarm-evaluation.ts): in the ingest batch's
 * transaction, real PostgreSQL, no Temporal. The alarm entity, its audit entries in the
 * ledger, the rule's anti-flap state kept in the database (a fresh process would go on from it).
 */
const database = createDatabase(inject('databaseUrl'));
afterAll(() => database.close());

const MODEL = 'acme-wallbox-22';
const T0 = Date.parse('2026-12-05T00:00:00Z');

async function tenantWithRule(over: Partial<AlarmRuleInput> = {}) {
  const tenantId = uniqueTenant('alarm');
  await seedDevices(database, tenantId, ['c-1', 'c-2'], { active: true, model: MODEL });
  const rule = alarmRuleSchema.parse({
    name: 'Hot charger',
    alarmType: 'OverTemperature',
    scope: { deviceProfile: MODEL },
    severity: 'major',
    condition: { field: 'temperature', above: 80, clearBelow: 75 },
    raise: { datapoints: 3, of: 5 },
    clear: { consecutive: 2 },
    ...over,
  });
  await createAlarmRule(database, { tenantId, ruleId: 'hot', actor: 'ops', role: 'admin' }, rule);
  return tenantId;
}

/** The rules as the gateway's cache holds them (read fresh from the database). */
async function rulesOf(tenantId: string) {
  const loaded: LoadedRule[] = (await loadEnabledAlarmRules(database, tenantId)).map((r) => ({
    ...r,
    fields: new Set(fieldsOf(r.rule.condition)),
  }));
  return (t: string) => (t === tenantId ? loaded : []);
}

async function send(tenantId: string, deviceId: string, temperatures: number[], from = 0) {
  const rules = await rulesOf(tenantId);
  for (const [i, temperature] of temperatures.entries()) {
    const at = new Date(T0 + (from + i) * 10_000).toISOString();
    // One sample per batch, as a device sending every 10 s meets the writer.
    await insertTelemetry(database, [{ tenantId, deviceId, at, values: { temperature } }], rules);
  }
}

const alarmsOf = (tenantId: string) =>
  database.sql<
    {
      device_id: string;
      status: string;
      severity: string;
      raised_at: Date;
      cleared_by: string | null;
    }[]
  >`
    select device_id, status, severity, raised_at, cleared_by from alarms
    where tenant_id = ${tenantId} order by alarm_id`;

describe('alarm evaluation in the telemetry path', () => {
  it('a flapping device raises no storm; a sustained fault raises exactly one alarm, which clears with hysteresis', async () => {
    const tenantId = await tenantWithRule();
    // c-1 flaps between 85 and 70 forty times: at most one alarm, never cleared (2 in a row needed).
    await send(
      tenantId,
      'c-1',
      Array.from({ length: 40 }, (_, i) => (i % 2 ? 70 : 85)),
    );
    // c-2: sustained 90, then 77 (inside the band: still active), then 74, 72: cleared.
    await send(tenantId, 'c-2', [90, 90, 90, 90, 77, 74, 72]);
    const alarms = await alarmsOf(tenantId);
    expect(alarms.filter((a) => a.device_id === 'c-1').map((a) => a.status)).toEqual(['active']);
    expect(alarms.filter((a) => a.device_id === 'c-2')).toEqual([
      expect.objectContaining({ status: 'cleared', severity: 'major', cleared_by: 'condition' }),
    ]);
    const c2 = alarms.find((a) => a.device_id === 'c-2')!;
    expect(new Date(c2.raised_at).getTime()).toBe(T0 + 2 * 10_000);
    // Each transition is an audit entry chained into the tenant's ledger.
    const audit = await database.sql<{ operation: string; subject: string }[]>`
      select operation, subject from audit_entries where tenant_id = ${tenantId}
        and operation like 'alarm.%' order by id`;
    expect(audit).toEqual([
      { operation: 'alarm.raise', subject: 'device:c-1' },
      { operation: 'alarm.raise', subject: 'device:c-2' },
      { operation: 'alarm.clear', subject: 'device:c-2' },
    ]);
    const [ledger] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from ledger_entries where tenant_id = ${tenantId} and kind = 'audit'`;
    expect(ledger!.n).toBe(4); // the rule's creation and the three transitions
  });

  it('keeps the anti-flap window in the database: two breaches, a restart, a third raises', async () => {
    const tenantId = await tenantWithRule();
    await send(tenantId, 'c-1', [85, 85]);
    expect(await alarmsOf(tenantId)).toEqual([]);
    const [state] = await database.sql<{ state: { window: string } }[]>`
      select state from alarm_states where tenant_id = ${tenantId} and device_id = 'c-1'`;
    expect(state!.state.window).toBe('bb');
    // Another process (a fresh rule cache, a fresh connection) goes on from the stored window.
    const other = createDatabase(inject('databaseUrl'));
    try {
      const rules = await rulesOf(tenantId);
      const at = new Date(T0 + 2 * 10_000).toISOString();
      await insertTelemetry(
        other,
        [{ tenantId, deviceId: 'c-1', at, values: { temperature: 86 } }],
        rules,
      );
    } finally {
      await other.close();
    }
    expect((await alarmsOf(tenantId)).map((a) => a.status)).toEqual(['active']);
  });

  it('a sample stored before is not judged twice; devices of other models are not judged', async () => {
    const tenantId = await tenantWithRule({ raise: { datapoints: 2, of: 2 } });
    await seedDevices(database, tenantId, ['other-1'], { active: true, model: 'other-model' });
    const rules = await rulesOf(tenantId);
    const at = new Date(T0).toISOString();
    const sample = { tenantId, deviceId: 'c-1', at, values: { temperature: 95 } };
    await insertTelemetry(database, [sample], rules);
    await insertTelemetry(database, [sample], rules); // a retried batch: the same sample again
    await send(tenantId, 'other-1', [99, 99, 99]);
    expect(await alarmsOf(tenantId)).toEqual([]);
    const [state] = await database.sql<{ state: { window: string } }[]>`
      select state from alarm_states where tenant_id = ${tenantId} and device_id = 'c-1'`;
    expect(state!.state.window).toBe('b');
  });

  it('a calm device costs a read, not a write: its rule row stops changing', async () => {
    const tenantId = await tenantWithRule();
    const row = async () =>
      (
        await database.sql<{ xmin: string; state: { window: string; okRun: number } }[]>`
          select xmin::text, state from alarm_states where tenant_id = ${tenantId} and device_id = 'c-1'`
      )[0]!;
    await send(
      tenantId,
      'c-1',
      Array.from({ length: 70 }, (_, i) => 20 + (i % 7)),
    );
    const settled = await row();
    expect(settled.state.window).toBe('ooooo');
    await send(tenantId, 'c-1', [22, 23, 24], 70);
    expect((await row()).xmin).toBe(settled.xmin); // not rewritten
    await send(tenantId, 'c-1', [90], 73);
    expect((await row()).state.window).toBe('oooob');
  });

  it('a gateway that knows the steady states ends where the transactional path ends, and a steady device costs only its INSERT', async () => {
    const tenantId = await tenantWithRule({
      escalation: [{ afterSeconds: 120, severity: 'critical' }],
    });
    const rules = await rulesOf(tenantId);
    const steady = new SteadyPairs();
    // A walk of calm, hot and flapping runs: raises, holds, escalates, clears, several times.
    const temperatures: number[] = [];
    let seed = 7;
    for (let run = 0; run < 40; run++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const kind = seed % 3;
      const length = 2 + ((seed >> 8) % 25);
      for (let k = 0; k < length; k++)
        temperatures.push(kind === 0 ? 20 + (k % 5) : kind === 1 ? 88 + (k % 5) : k % 2 ? 70 : 85);
    }
    for (const [i, temperature] of temperatures.entries()) {
      const at = new Date(T0 + i * 10_000).toISOString();
      const values = { temperature };
      await insertTelemetry(database, [{ tenantId, deviceId: 'c-1', at, values }], rules, steady);
      await insertTelemetry(database, [{ tenantId, deviceId: 'c-2', at, values }], rules);
    }
    const history = (deviceId: string) => database.sql`
      select status, severity, raised_at, cleared_at, cleared_by from alarms
      where tenant_id = ${tenantId} and device_id = ${deviceId} order by alarm_id`;
    const stateOf = (deviceId: string) => database.sql`
      select state, fields from alarm_states where tenant_id = ${tenantId} and device_id = ${deviceId}`;
    const withSteady = await history('c-1');
    expect(withSteady.length).toBeGreaterThan(2);
    expect(withSteady.some((a) => a.severity === 'critical')).toBe(true);
    expect(withSteady).toEqual(await history('c-2'));
    expect(await stateOf('c-1')).toEqual(await stateOf('c-2'));

    // Calm for long enough, then steady: one statement per batch, the INSERT.
    const counting = countingDatabase(inject('databaseUrl'));
    try {
      const from = temperatures.length;
      const sample = (i: number, temperature: number) =>
        insertTelemetry(
          counting,
          [
            {
              tenantId,
              deviceId: 'c-1',
              at: new Date(T0 + (from + i) * 10_000).toISOString(),
              values: { temperature },
            },
          ],
          rules,
          steady,
        );
      for (let i = 0; i < 70; i++) await sample(i, 20 + (i % 5));
      counting.queries.length = 0;
      const paths: string[] = [];
      for (let i = 70; i < 80; i++) paths.push(await sample(i, 20 + (i % 5)));
      expect(paths).toEqual(Array(10).fill('steady'));
      expect(counting.queries).toHaveLength(10);
      expect(counting.queries.every((q) => q.trim().startsWith('insert into telemetry'))).toBe(
        true,
      );
      counting.queries.length = 0;
      // A breach: judged in a transaction, its window written.
      expect(await sample(80, 95)).toBe('judged');
      expect(counting.queries.length).toBeGreaterThan(1);
      expect((await stateOf('c-1'))[0]!.state.window).toBe('oooob');
    } finally {
      await counting.close();
    }
  });

  it('in one batch, a device whose samples leave its states as they are is not judged; the other is', async () => {
    const tenantId = await tenantWithRule({ raise: { datapoints: 2, of: 3 } });
    const rules = await rulesOf(tenantId);
    const steady = new SteadyPairs();
    const batch = (i: number, hot: number) =>
      insertTelemetry(
        database,
        ['c-1', 'c-2'].map((deviceId) => ({
          tenantId,
          deviceId,
          at: new Date(T0 + i * 10_000).toISOString(),
          values: { temperature: deviceId === 'c-2' ? hot : 20 },
        })),
        rules,
        steady,
      );
    for (let i = 0; i < 70; i++) await batch(i, 20);
    expect(await batch(70, 20)).toBe('steady');
    const xminOf = async (deviceId: string) =>
      (
        await database.sql<{ xmin: string }[]>`
          select xmin::text from alarm_states where tenant_id = ${tenantId} and device_id = ${deviceId}`
      )[0]!.xmin;
    const calm = await xminOf('c-1');
    expect(await batch(71, 95)).toBe('judged');
    expect(await batch(72, 95)).toBe('judged');
    expect((await alarmsOf(tenantId)).map((a) => [a.device_id, a.status])).toEqual([
      ['c-2', 'active'],
    ]);
    expect(await xminOf('c-1')).toBe(calm); // c-1 was neither judged nor written
    // Raised and held: both devices steady again.
    expect(await batch(73, 95)).toBe('judged');
    expect(await batch(74, 96)).toBe('steady');
  });

  it('a rule change is versioned and refused against a stale version', async () => {
    const tenantId = await tenantWithRule();
    const change = { tenantId, ruleId: 'hot', actor: 'ops', role: 'admin' };
    const rule = alarmRuleSchema.parse({
      name: 'Hot charger',
      alarmType: 'OverTemperature',
      scope: { deviceProfile: MODEL },
      severity: 'critical',
      condition: { field: 'temperature', above: 70 },
    });
    const updated = await changeAlarmRule(database, change, 1, rule);
    expect(updated!.version).toBe(2);
    await expect(changeAlarmRule(database, change, 1, rule)).rejects.toMatchObject({
      code: 'alarm-rule.version-conflict',
    });
    await send(tenantId, 'c-1', [72]);
    expect((await alarmsOf(tenantId)).map((a) => a.severity)).toEqual(['critical']);
  });
});

describe('the alarm sweep: what time alone changes', () => {
  const offlineSince = (tenantId: string, deviceId: string, at: number) =>
    database.sql`update device_twins set connectivity = 'offline',
      connectivity_since = ${new Date(at).toISOString()} where tenant_id = ${tenantId} and device_id = ${deviceId}`;
  const online = (tenantId: string, deviceId: string, at: number) =>
    database.sql`update device_twins set connectivity = 'online',
      connectivity_since = ${new Date(at).toISOString()} where tenant_id = ${tenantId} and device_id = ${deviceId}`;
  const ofTenant = async (tenantId: string, now: number) =>
    (await sweepAlarms(database, { now: new Date(now) })).filter((t) => t.tenantId === tenantId);

  it('offline for X raises once the device has been offline that long, and clears when it is back', async () => {
    const tenantId = await tenantWithRule({
      alarmType: 'Offline',
      condition: { offlineFor: 600 },
      raise: { datapoints: 1, of: 1 },
      clear: { consecutive: 1 },
    });
    await offlineSince(tenantId, 'c-1', T0);
    expect(await ofTenant(tenantId, T0 + 599_000)).toEqual([]);
    const raised = await ofTenant(tenantId, T0 + 600_000);
    expect(raised.map((t) => [t.deviceId, t.transition.kind])).toEqual([['c-1', 'raise']]);
    expect(await ofTenant(tenantId, T0 + 700_000)).toEqual([]); // one alarm, not one per sweep
    await online(tenantId, 'c-1', T0 + 800_000);
    const cleared = await ofTenant(tenantId, T0 + 801_000);
    expect(cleared.map((t) => t.transition.kind)).toEqual(['clear']);
    expect((await alarmsOf(tenantId)).map((a) => [a.device_id, a.status])).toEqual([
      ['c-1', 'cleared'],
    ]);
  });

  it('no data for X raises for a device that fell silent; its next sample clears it', async () => {
    const tenantId = await tenantWithRule({
      alarmType: 'Silent',
      condition: { noDataFor: 300, field: 'temperature' },
      raise: { datapoints: 1, of: 1 },
      clear: { consecutive: 1 },
    });
    await send(tenantId, 'c-1', [20]); // seen at T0
    expect(await ofTenant(tenantId, T0 + 299_000)).toEqual([]);
    expect((await ofTenant(tenantId, T0 + 300_000)).map((t) => t.transition.kind)).toEqual([
      'raise',
    ]);
    await send(tenantId, 'c-1', [21], 31); // a sample at T0 + 310 s
    expect((await alarmsOf(tenantId)).map((a) => a.status)).toEqual(['cleared']);
  });

  it('a start delay comes due by a sweep, and the severity escalates by sweeps while the breach lasts', async () => {
    const tenantId = await tenantWithRule({
      raise: { datapoints: 1, of: 1 },
      startDelaySeconds: 60,
      escalation: [{ afterSeconds: 600, severity: 'critical' }],
    });
    await send(tenantId, 'c-1', [90]); // breaching from T0, not raised before T0 + 60 s
    expect(await alarmsOf(tenantId)).toEqual([]);
    expect((await ofTenant(tenantId, T0 + 60_000)).map((t) => t.transition.kind)).toEqual([
      'raise',
    ]);
    expect(await ofTenant(tenantId, T0 + 599_000)).toEqual([]);
    const escalated = await ofTenant(tenantId, T0 + 600_000);
    expect(escalated.map((t) => t.transition)).toEqual([
      { kind: 'severity', from: 'major', to: 'critical', at: T0 + 600_000 },
    ]);
    expect((await alarmsOf(tenantId)).map((a) => a.severity)).toEqual(['critical']);
  });
});
