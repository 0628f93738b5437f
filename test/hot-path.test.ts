import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { commitDeviceCommands } from '../db/device-commit';
import { settleTwinNotices } from '../db/twin-notices';
import { deviceWorkflowId } from '../twins/ids';
import { deviceStateQuery } from '../workflows/device-twin/messages';
import { TestDevice } from './support/device-client';
import { startGatewayProcess } from './support/gateway-process';
import { eventually, graphql } from './support/graphql';
import {
  helloDevice,
  registerDevice,
  startTestStack,
  uniqueTenant,
  type TestStack,
} from './support/stack';

// docs/architecture.md: connects, reports and disconnects go to the device record without a
// Temporal action; a twin hears only what needs it, once, through coalesced notices.
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const DEVICE = `query ($t: ID!, $d: ID!) {
  device(tenantId: $t, deviceId: $d) { lifecycle { state } connectivity { status } firmware reported version }
}`;
const device = async (tenantId: string, deviceId: string) =>
  (await graphql(stack.apiUrl, DEVICE, { t: tenantId, d: deviceId })).data.device;

/** What the twin's history holds: every event type, and the observe signals' reasons. */
async function historyOf(handle: WorkflowHandle) {
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  return {
    length: events.length,
    workflowTasks: events.filter((e) => e.workflowTaskCompletedEventAttributes).length,
    signals: events.filter((e) => e.workflowExecutionSignaledEventAttributes).length,
  };
}

/** Waits until the device's notice is drained and the twin's history stops growing. */
async function settled(tenantId: string, deviceId: string, handle: WorkflowHandle) {
  await eventually(async () => {
    const [row] = await stack.database.sql`
      select 1 from twin_notices where tenant_id = ${tenantId} and device_id = ${deviceId}`;
    if (row) return undefined;
    const first = (await handle.describe()).historyLength;
    await new Promise((r) => setTimeout(r, 300));
    return (await handle.describe()).historyLength === first ? true : undefined;
  }, 20_000);
}

async function reportAndAck(d: TestDevice, seq: number, state: Record<string, unknown>) {
  d.send({ type: 'report', seq, state });
  expect(await d.next((m) => m.seq === seq)).toEqual({ type: 'ack', seq });
}

describe('the hot path in PostgreSQL', () => {
  it('a plain report, reconnect and disconnect cost the twin no workflow task', async () => {
    const tenantId = uniqueTenant();
    const token = await registerDevice(stack, tenantId, 'quiet');
    const handle = stack.temporal.workflow.getHandle(
      deviceWorkflowId({ tenantId, deviceId: 'quiet' }),
    );
    const first = await helloDevice(stack.gatewayUrl, { tenantId, deviceId: 'quiet', token });
    await eventually(async () =>
      (await device(tenantId, 'quiet')).lifecycle.state === 'ACTIVE' ? true : undefined,
    );
    await settled(tenantId, 'quiet', handle);
    const before = await historyOf(handle);
    const recordBefore = await device(tenantId, 'quiet');

    for (let seq = 2; seq <= 6; seq++) await reportAndAck(first, seq, { temperature: 20 + seq });
    first.close();
    await eventually(async () =>
      (await device(tenantId, 'quiet')).connectivity.status === 'OFFLINE' ? true : undefined,
    );
    const again = await helloDevice(stack.gatewayUrl, { tenantId, deviceId: 'quiet', token });
    await reportAndAck(again, 2, { temperature: 30 });
    again.close();
    const after = await eventually(async () => {
      const d = await device(tenantId, 'quiet');
      return d.connectivity.status === 'OFFLINE' && d.reported.temperature === 30 ? d : undefined;
    });
    // The record moved (6 reported changes, a reconnect, 2 disconnects) …
    expect(after.version).toBe(recordBefore.version + 9);
    // … and the twin did not: no signal, no workflow task, not one history event.
    await settled(tenantId, 'quiet', handle);
    expect(await historyOf(handle)).toEqual(before);
  }, 60_000);

  it('a firmware change reaches the twin exactly once, and the twin adopts the record', async () => {
    const tenantId = uniqueTenant();
    const token = await registerDevice(stack, tenantId, 'upgrader');
    const handle = stack.temporal.workflow.getHandle(
      deviceWorkflowId({ tenantId, deviceId: 'upgrader' }),
    );
    const first = await helloDevice(stack.gatewayUrl, { tenantId, deviceId: 'upgrader', token });
    await settled(tenantId, 'upgrader', handle);
    first.close();
    const before = await historyOf(handle);

    const d = await TestDevice.connect(stack.gatewayUrl);
    d.send({
      type: 'hello',
      seq: 1,
      tenant: tenantId,
      device: 'upgrader',
      token,
      firmware: '2.0.0',
    });
    await d.next((m) => m.type === 'welcome');
    await reportAndAck(d, 2, { temperature: 25 });
    await eventually(async () =>
      (await device(tenantId, 'upgrader')).firmware === '2.0.0' ? true : undefined,
    );
    await settled(tenantId, 'upgrader', handle);
    const after = await historyOf(handle);
    expect(after.signals - before.signals).toBe(1);
    expect((await handle.query(deviceStateQuery)).firmware).toBe('2.0.0');
    d.close();
  }, 60_000);

  it('a field the profile declares reaches the twin once per change; other fields never', async () => {
    const tenantId = uniqueTenant();
    const profile = {
      model: 'bay-sensor',
      vendor: 'Acme',
      fields: {
        temperature: { kind: 'telemetry', type: 'number', unit: '°C' },
        status: { kind: 'state', type: 'string' },
      },
      twin: { fields: ['status'], thresholds: [{ field: 'temperature', above: 60 }] },
    };
    const put = await graphql(
      stack.apiUrl,
      `
        mutation ($t: ID!, $p: JSONObject!) {
          putDeviceProfile(tenantId: $t, profile: $p) {
            version
          }
        }
      `,
      { t: tenantId, p: profile },
    );
    expect(put.errors).toBeUndefined();
    const token = await registerDevice(stack, tenantId, 'bay', 'bay-sensor');
    const handle = stack.temporal.workflow.getHandle(
      deviceWorkflowId({ tenantId, deviceId: 'bay' }),
    );
    const d = await helloDevice(stack.gatewayUrl, { tenantId, deviceId: 'bay', token });
    await settled(tenantId, 'bay', handle);
    const noted = async () =>
      (
        await stack.database.sql<{ fields: Record<string, unknown> }[]>`
          select payload->'event'->'fields' as fields from outbox
          where tenant_id = ${tenantId} and kind = 'noted' order by id`
      ).map((r) => r.fields);
    const before = await historyOf(handle);

    const heard = async (n: number) =>
      eventually(async () => ((await noted()).length === n ? true : undefined));
    await reportAndAck(d, 2, { temperature: 20, status: 'ok' });
    await heard(1);
    await reportAndAck(d, 3, { temperature: 25 }); // inside the band: not heard
    await reportAndAck(d, 4, { status: 'faulted' });
    await heard(2);
    await reportAndAck(d, 5, { temperature: 70 }); // crosses 60
    await heard(3);
    await reportAndAck(d, 6, { temperature: 71 }); // still above: not heard
    await reportAndAck(d, 7, { status: 'ok' });
    await heard(4);
    await settled(tenantId, 'bay', handle);
    expect(await noted()).toEqual([
      { status: 'ok', temperature: 20 },
      { status: 'faulted' },
      { temperature: 70 },
      { status: 'ok' },
    ]);
    // One signal per change the twin must hear, none for the others.
    expect((await historyOf(handle)).signals - before.signals).toBe(4);
    d.close();
  }, 60_000);

  it('a storm of first connections activates every device exactly once, and no notice is left', async () => {
    const tenantId = uniqueTenant();
    const ids = Array.from({ length: 40 }, (_, i) => `storm-${i}`);
    const tokens = await Promise.all(ids.map((id) => registerDevice(stack, tenantId, id)));
    const devices = await Promise.all(
      ids.map((id, i) =>
        helloDevice(stack.gatewayUrl, { tenantId, deviceId: id, token: tokens[i]! }),
      ),
    );
    // Chatter while the notices wait: it must coalesce, not queue a signal per message.
    await Promise.all(devices.map((d) => reportAndAck(d, 2, { temperature: 1 })));
    await eventually(async () => {
      const [row] = await stack.database.sql<{ active: string }[]>`
        select count(*) filter (where lifecycle = 'active') as active from device_twins
        where tenant_id = ${tenantId}`;
      return Number(row!.active) === ids.length ? true : undefined;
    }, 60_000);
    const transitions = await stack.database.sql<{ device_id: string; n: string }[]>`
      select device_id, count(*) as n from device_lifecycle_history
      where tenant_id = ${tenantId} and from_state = 'provisioned' and to_state = 'active'
      group by device_id`;
    expect(transitions).toHaveLength(ids.length);
    expect(transitions.every((t) => Number(t.n) === 1)).toBe(true);
    await eventually(async () => {
      const left = await stack.database
        .sql`select 1 from twin_notices where tenant_id = ${tenantId}`;
      return left.length === 0 ? true : undefined;
    });
    for (const d of devices) d.close();
  }, 90_000);

  it('deletes a sent notice, and keeps one that gained a newer change while its signal was on the way', async () => {
    const tenantId = uniqueTenant();
    // Claimed by "us" for an hour, so no drainer of the suite takes them.
    await stack.database.sql`
      insert into twin_notices (tenant_id, device_id, reasons, version, claimed_until)
      values (${tenantId}, 'n1', '{firmware}', 5, now() + interval '1 hour'),
             (${tenantId}, 'n2', '{firmware}', 3, now() + interval '1 hour')`;
    const sent = (deviceId: string, version: number) => ({
      tenantId,
      deviceId,
      reasons: ['firmware'],
      version,
    });
    await stack.database.sql`
      update twin_notices set version = 7, reasons = '{firmware,status}'
      where tenant_id = ${tenantId} and device_id = 'n1'`;
    await settleTwinNotices(stack.database, [sent('n1', 5), sent('n2', 3)]);
    const rows = await stack.database.sql<
      { device_id: string; version: string; claimed_until: string | null }[]
    >`select device_id, version, claimed_until from twin_notices where tenant_id = ${tenantId}`;
    await stack.database.sql`delete from twin_notices where tenant_id = ${tenantId}`;
    expect(rows.map((r) => [r.device_id, Number(r.version), r.claimed_until])).toEqual([
      ['n1', 7, null],
    ]);
  });

  it('a retried twin commit with more commands decides only the new ones', async () => {
    const key = { tenantId: uniqueTenant(), deviceId: 'retried' };
    const at = new Date().toISOString();
    const tags = (t: string[]) => ({ type: 'set-tags' as const, at, actor: 'test', tags: t });
    const register = { type: 'register' as const, at, actor: 'test' };
    const first = await commitDeviceCommands(stack.database, {
      key,
      id: 'run-1:1',
      settings: { offlineGraceMs: 0 },
      commands: [{ command: register, reply: true }],
    });
    expect(first.events.map((e) => e.type)).toEqual(['registered']);
    // The workflow task failed after the COMMIT; its retry took the same command plus a new one.
    const again = await commitDeviceCommands(stack.database, {
      key,
      id: 'run-1:1',
      settings: { offlineGraceMs: 0 },
      commands: [
        { command: register, reply: true },
        { command: tags(['a']), reply: true },
      ],
    });
    expect(again.events.map((e) => e.type)).toEqual(['registered', 'tags-changed']);
    expect(again.results).toHaveLength(2);
    expect(again.after.version).toBe(2);
    // A third try of the very same commit changes nothing and answers the same.
    const third = await commitDeviceCommands(stack.database, {
      key,
      id: 'run-1:1',
      settings: { offlineGraceMs: 0 },
      commands: [
        { command: register, reply: true },
        { command: tags(['a']), reply: true },
      ],
    });
    expect(third).toEqual(again);
    const [row] = await stack.database.sql<{ version: string }[]>`
      select version from device_twins where tenant_id = ${key.tenantId} and device_id = 'retried'`;
    expect(Number(row!.version)).toBe(2);
  });

  it('a command finds a device that moved to another gateway', async () => {
    const tenantId = uniqueTenant();
    const token = await registerDevice(stack, tenantId, 'mover');
    const creds = { tenantId, deviceId: 'mover', token };
    const here = await helloDevice(stack.gatewayUrl, creds);
    await eventually(async () =>
      (await device(tenantId, 'mover')).lifecycle.state === 'ACTIVE' ? true : undefined,
    );
    const other = await startGatewayProcess(
      { temporalAddress: inject('temporalAddress'), databaseUrl: inject('databaseUrl') },
      `other-${tenantId}`,
    );
    try {
      here.close();
      const there = await helloDevice(other.url, creds);
      await eventually(async () => {
        const [row] = await stack.database.sql<{ gateway_node: string }[]>`
          select gateway_node from device_twins where tenant_id = ${tenantId} and device_id = 'mover'`;
        return row?.gateway_node === `other-${tenantId}` ? true : undefined;
      });
      const sent = await graphql(
        stack.apiUrl,
        `
          mutation ($i: SendCommandInput!) {
            sendCommand(input: $i) {
              commandId
            }
          }
        `,
        { i: { tenantId, deviceId: 'mover', name: 'blink', params: {} } },
      );
      expect(sent.errors).toBeUndefined();
      const command = await there.next((m) => m.type === 'command', 30_000);
      expect(command).toMatchObject({ name: 'blink' });
      expect(here.received.filter((m) => m.type === 'command')).toEqual([]);
      there.close();
    } finally {
      await other.crash();
    }
  }, 90_000);
});
