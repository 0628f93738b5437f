import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlarmRule } from '../db/alarm-rule-store';
import { clearAlarm } from '../db/alarm-store';
import { alarmRuleSchema, type AlarmRuleInput } from '../twins/alarms/rule';
import { transition } from './support/change-subscriptions';
import { connectRegistered } from './support/device-client';
import { graphql } from './support/graphql';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

/**
 * Alarms from a real device through the real gateway (issue 19, items 1–2): a rule on a
 * canonical telemetry field (converted by the device profile) and one on a reported state field,
 * judged in the ingest transactions — acked means the alarm is there.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const meter = JSON.parse(
  readFileSync(new URL('../twins/profiles/examples/acme-meter-em3.json', import.meta.url), 'utf8'),
);

async function connected(tenantId: string, deviceId: string) {
  await graphql(
    stack.apiUrl,
    `
      mutation ($t: ID!, $p: JSONObject!) {
        putDeviceProfile(tenantId: $t, profile: $p) {
          version
        }
      }
    `,
    { t: tenantId, p: meter },
  );
  return connectRegistered(stack, tenantId, deviceId, meter.model);
}

const rule = (over: Partial<AlarmRuleInput>) =>
  alarmRuleSchema.parse({
    name: 'rule',
    alarmType: 'Test',
    scope: { deviceProfile: meter.model },
    severity: 'major',
    condition: { field: 'powerKW', above: 5 },
    ...over,
  });

const alarmsOf = (tenantId: string) =>
  stack.database.sql<{ rule_id: string; status: string; severity: string; alarm_type: string }[]>`
    select rule_id, status, severity, alarm_type from alarms where tenant_id = ${tenantId}
    order by alarm_id`;

describe('alarms from a real device', () => {
  it('telemetry raises and clears by a rule on a canonical field; the ack comes after the alarm', async () => {
    const tenantId = uniqueTenant('alarms');
    await createAlarmRule(
      stack.database,
      { tenantId, ruleId: 'overload', actor: 'ops', role: 'admin' },
      rule({
        alarmType: 'Overload',
        condition: { field: 'powerKW', above: 5, clearBelow: 4.5 },
        raise: { datapoints: 2, of: 3 },
        clear: { consecutive: 2 },
      }),
    );
    const device = await connected(tenantId, 'em-1');
    let seq = 1;
    const sample = async (watts: number, second: number) => {
      seq += 1;
      device.send({
        type: 'telemetry',
        seq,
        samples: [
          {
            at: new Date(Date.UTC(2026, 11, 5, 8, 0, second)).toISOString(),
            values: { power: watts },
          },
        ],
      });
      expect(await device.next((m) => m.seq === seq)).toEqual({ type: 'ack', seq });
    };
    await sample(6_000, 0); // 6 kW: 1 of 3
    expect(await alarmsOf(tenantId)).toEqual([]);
    await sample(6_200, 1); // 2 of 3: raised, committed before this ack
    expect(await alarmsOf(tenantId)).toEqual([
      { rule_id: 'overload', status: 'active', severity: 'major', alarm_type: 'Overload' },
    ]);
    await sample(4_800, 2); // inside the band (≥ 4.5 kW): still breaching
    await sample(4_000, 3);
    expect((await alarmsOf(tenantId))[0]!.status).toBe('active');
    await sample(3_900, 4); // second in a row below the band: cleared
    expect((await alarmsOf(tenantId))[0]!.status).toBe('cleared');
    device.close();
  });

  it('a report raises by a rule on a reported field; one active alarm per device and rule', async () => {
    const tenantId = uniqueTenant('alarms');
    await createAlarmRule(
      stack.database,
      { tenantId, ruleId: 'fault', actor: 'ops', role: 'admin' },
      rule({
        alarmType: 'Fault',
        condition: { field: 'status', in: ['faulted'] },
        severity: 'critical',
      }),
    );
    const device = await connected(tenantId, 'em-2');
    for (const [i, status] of ['faulted', 'faulted', 'available'].entries()) {
      device.send({ type: 'report', seq: 10 + i, state: { status } });
      expect(await device.next((m) => m.seq === 10 + i)).toMatchObject({ type: 'ack' });
      if (i === 1) {
        expect(await alarmsOf(tenantId)).toEqual([
          { rule_id: 'fault', status: 'active', severity: 'critical', alarm_type: 'Fault' },
        ]);
      }
    }
    expect((await alarmsOf(tenantId)).map((a) => a.status)).toEqual(['cleared']);
    device.close();
  });

  it('muted while the device is in maintenance; cleared when it is retired', async () => {
    const tenantId = uniqueTenant('alarms');
    await createAlarmRule(
      stack.database,
      { tenantId, ruleId: 'overload', actor: 'ops', role: 'admin' },
      rule({ alarmType: 'Overload' }),
    );
    const device = await connected(tenantId, 'em-3');
    device.send({
      type: 'telemetry',
      seq: 2,
      samples: [{ at: '2026-12-05T09:00:00.000Z', values: { power: 7_000 } }],
    });
    await device.next((m) => m.seq === 2);
    const state = async () =>
      (
        await stack.database.sql<{ status: string; muted: boolean; cleared_by: string | null }[]>`
          select status, muted, cleared_by from alarms where tenant_id = ${tenantId}`
      ).map((a) => [a.status, a.muted, a.cleared_by]);
    expect(await state()).toEqual([['active', false, null]]);
    // The first connection activates the device through its twin, asynchronously: maintenance
    // is a move from active.
    await expect
      .poll(
        async () =>
          (
            await stack.database.sql<{ lifecycle: string }[]>`
              select lifecycle from device_twins where tenant_id = ${tenantId} and device_id = 'em-3'`
          )[0]?.lifecycle,
        { timeout: 15_000 },
      )
      .toBe('active');
    await transition(stack.apiUrl, tenantId, 'em-3', 'MAINTENANCE');
    await expect.poll(state, { timeout: 15_000 }).toEqual([['active', true, null]]);
    await transition(stack.apiUrl, tenantId, 'em-3', 'RETIRED');
    await expect.poll(state, { timeout: 15_000 }).toEqual([['cleared', true, 'retired']]);
    const audit = await stack.database.sql<{ reason: string }[]>`
      select reason from audit_entries where tenant_id = ${tenantId} and operation = 'alarm.clear'`;
    expect(audit.map((a) => a.reason)).toEqual(['device retired: test: to RETIRED']);
    device.close();
  });

  it('an operator clears a held alarm: the gateway holding the device forgets its window, and the breach that goes on raises afresh', async () => {
    const tenantId = uniqueTenant('alarms');
    await createAlarmRule(
      stack.database,
      { tenantId, ruleId: 'overload', actor: 'ops', role: 'admin' },
      rule({ raise: { datapoints: 2, of: 3 }, clear: { consecutive: 2 } }),
    );
    const device = await connected(tenantId, 'em-9');
    let seq = 1;
    const breach = async () => {
      seq += 1;
      device.send({
        type: 'telemetry',
        seq,
        samples: [
          {
            at: new Date(Date.UTC(2026, 11, 5, 9, 0, seq)).toISOString(),
            values: { power: 7_000 },
          },
        ],
      });
      expect(await device.next((m) => m.seq === seq)).toEqual({ type: 'ack', seq });
    };
    // Raised, then held long enough for the gateway to know the state as steady.
    for (let i = 0; i < 6; i++) await breach();
    const [raised] = await stack.database.sql<{ alarm_id: number }[]>`
      select alarm_id from alarms where tenant_id = ${tenantId} and status = 'active'`;
    await clearAlarm(
      stack.database,
      { tenantId, actor: 'ops', role: 'operator' },
      Number(raised!.alarm_id),
    );
    // The breach goes on: a fresh window, two breaches, a new alarm (the clear's NOTIFY reaches
    // the gateway within moments; a gateway that kept the held state would raise nothing).
    const deadline = Date.now() + 10_000;
    while ((await alarmsOf(tenantId)).length < 2 && Date.now() < deadline) {
      await breach();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await alarmsOf(tenantId)).map((a) => a.status)).toEqual(['cleared', 'active']);
    device.close();
  });
});
