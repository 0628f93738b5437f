import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceCommand } from '../twins/device';
import { deviceWorkflowId } from '../twins/ids';
import { sendToDeviceTwin } from '../workflows/device-twin/client';
import { deviceStateQuery } from '../workflows/device-twin/messages';
import { TestDevice } from './support/device-client';
import { eventually, graphql } from './support/graphql';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ offlineGraceMs: 1_500 });
});
afterAll(() => stack?.stop());

const DEVICE = `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) {
  version alarmsMuted excludedFromRollouts reported
  lifecycle { state actor reason replacedBy }
  lifecycleHistory { from to actor reason effects version }
  connectivity { status reason since offlineAfter } } }`;
const SHADOW = `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) { version shadowVersion } }`;
const TRANSITION = `mutation ($i: TransitionDeviceInput!) { transitionDevice(input: $i) { version device { lifecycle { state } } } }`;

async function registered(deviceId = 'd1') {
  const tenantId = uniqueTenant();
  const res = await graphql(
    stack.apiUrl,
    `
      mutation ($i: RegisterDeviceInput!) {
        registerDevice(input: $i) {
          token
        }
      }
    `,
    {
      i: { tenantId, deviceId },
    },
  );
  expect(res.errors).toBeUndefined();
  return { tenantId, deviceId, token: res.data.registerDevice.token as string };
}

async function connected(d: { tenantId: string; deviceId: string; token: string }) {
  const device = await TestDevice.connect(stack.gatewayUrl);
  device.send({ type: 'hello', seq: 1, tenant: d.tenantId, device: d.deviceId, token: d.token });
  expect(await device.next((m) => m.type === 'welcome' || m.type === 'error')).toMatchObject({
    type: 'welcome',
  });
  return device;
}

const query = async (d: { tenantId: string; deviceId: string }) =>
  (await graphql(stack.apiUrl, DEVICE, { t: d.tenantId, d: d.deviceId })).data?.device;
const transition = (
  d: { tenantId: string; deviceId: string },
  to: string,
  extra: Record<string, unknown> = {},
) =>
  graphql(stack.apiUrl, TRANSITION, {
    i: { tenantId: d.tenantId, deviceId: d.deviceId, to, reason: 'ticket 7', ...extra },
  });

describe('device lifecycle through GraphQL and the twin workflow', () => {
  it('records each transition with actor, reason and effects; refuses one that is not allowed', async () => {
    const d = await registered();
    const device = await connected(d);
    // The connection is committed by the gateway, the activation by the twin on its notice.
    await eventually(async () =>
      (await query(d)).lifecycle.state === 'ACTIVE' ? true : undefined,
    );

    const maintenance = await transition(d, 'MAINTENANCE');
    expect(maintenance.errors).toBeUndefined();
    expect(maintenance.data.transitionDevice.device.lifecycle.state).toBe('MAINTENANCE');
    const inMaintenance = await query(d);
    expect(inMaintenance).toMatchObject({ alarmsMuted: true, excludedFromRollouts: true });
    expect(inMaintenance.version).toBe(maintenance.data.transitionDevice.version);

    const refused = await transition(d, 'PROVISIONED');
    expect(refused.errors?.[0]?.extensions?.code).toBe('twin:lifecycle.transition-not-allowed');
    expect(refused.errors?.[0]?.message).toContain('maintenance');

    await transition(d, 'ACTIVE');
    const after = await query(d);
    expect(after.lifecycleHistory).toEqual([
      {
        from: 'PROVISIONED',
        to: 'ACTIVE',
        actor: 'device',
        reason: 'first connection',
        effects: [],
        // registered (1), connected (2, the gateway's commit), then activated by the twin.
        version: 3,
      },
      {
        from: 'ACTIVE',
        to: 'MAINTENANCE',
        actor: 'user:test-admin',
        reason: 'ticket 7',
        effects: ['MUTE_ALARMS', 'EXCLUDE_FROM_ROLLOUTS'],
        version: expect.any(Number),
      },
      {
        from: 'MAINTENANCE',
        to: 'ACTIVE',
        actor: 'user:test-admin',
        reason: 'ticket 7',
        effects: ['UNMUTE_ALARMS', 'INCLUDE_IN_ROLLOUTS'],
        version: expect.any(Number),
      },
    ]);
    expect(after).toMatchObject({ alarmsMuted: false, excludedFromRollouts: false });
    device.close();
  });

  it('retiring an online device revokes its credentials and closes its connection at once', async () => {
    const d = await registered();
    const device = await connected(d);
    const retired = await transition(d, 'RETIRED');
    expect(retired.errors).toBeUndefined();
    expect(await device.closed()).toBe(4403);

    const again = await TestDevice.connect(stack.gatewayUrl);
    again.send({ type: 'hello', seq: 1, tenant: d.tenantId, device: d.deviceId, token: d.token });
    expect(await again.closed()).toBe(4401);
    const history = (await query(d)).lifecycleHistory;
    expect(history.at(-1)).toMatchObject({
      to: 'RETIRED',
      effects: ['REVOKE_CREDENTIALS', 'CLOSE_CONNECTION'],
    });
  });

  it('closes a connection whose connect reaches the twin only after the device was retired', async () => {
    // The gateway welcomes a device before its twin hears of the connect; when a retirement
    // lands in between, the twin refuses the connect and must close that connection itself.
    // Stand-in for the late connect: a live session of another device, announced to the
    // retired twin as its own.
    const d = await registered();
    expect((await transition(d, 'RETIRED')).errors).toBeUndefined();
    const other = await registered('d2');
    const live = await TestDevice.connect(stack.gatewayUrl);
    live.send({ type: 'hello', seq: 1, tenant: other.tenantId, device: 'd2', token: other.token });
    const welcome = await live.next((m) => m.type === 'welcome');
    await sendToDeviceTwin(stack.temporal, d, {
      sender: 'test-late-connect',
      batch: 1,
      commands: [
        {
          type: 'connect',
          at: new Date().toISOString(),
          sessionId: welcome.session as string,
          gatewayNode: stack.gatewayNodeId,
          seq: 1,
        },
      ],
    });
    expect(await live.closed()).toBe(4403);
  });

  it('of two concurrent transitions made against the same version, one is applied and the other refused', async () => {
    const d = await registered();
    // Stays connected: a disconnect would change the version between the read and the updates.
    const device = await connected(d);
    const { version } = await eventually(async () => {
      const q = await query(d);
      return q?.lifecycle.state === 'ACTIVE' ? q : undefined;
    });
    const [a, b] = await Promise.all([
      transition(d, 'RETIRED', { expectedVersion: version }),
      transition(d, 'MAINTENANCE', { expectedVersion: version }),
    ]);
    const outcomes = [a, b].map((r) => r.errors?.[0]?.extensions?.code ?? 'applied').sort();
    expect(outcomes).toEqual(['applied', 'twin:device.version-conflict']);
    expect((await query(d)).lifecycleHistory).toHaveLength(2);
    const late = await transition(d, 'ACTIVE', { expectedVersion: version });
    expect(late.errors?.[0]?.message).toMatch(/at version \d+, not \d+/);
    device.close();
  });

  it('applies changes guarded by the versions reports moved the record to, which the twin did not hear of', async () => {
    const d = await registered();
    const device = await connected(d);
    await eventually(async () =>
      (await query(d)).lifecycle.state === 'ACTIVE' ? true : undefined,
    );
    // Reports are committed by the gateway alone: the record's versions move past the twin's.
    const reported = async (seq: number) => {
      const before = (await graphql(stack.apiUrl, SHADOW, { t: d.tenantId, d: d.deviceId })).data
        .device;
      device.send({ type: 'report', seq, state: { temperature: 20 + seq } });
      await device.next((m) => m.type === 'ack' && m.seq === seq);
      return eventually(async () => {
        const now = (await graphql(stack.apiUrl, SHADOW, { t: d.tenantId, d: d.deviceId })).data
          .device;
        return now.shadowVersion > before.shadowVersion ? now : undefined;
      });
    };
    const first = await reported(2);
    const maintenance = await transition(d, 'MAINTENANCE', { expectedVersion: first.version });
    expect(maintenance.errors).toBeUndefined();

    const second = await reported(3);
    const desired = await graphql(
      stack.apiUrl,
      `
        mutation ($i: UpdateDesiredInput!) {
          updateDesired(input: $i) {
            shadowVersion
          }
        }
      `,
      {
        i: {
          tenantId: d.tenantId,
          deviceId: d.deviceId,
          patch: { interval: 5 },
          expectedVersion: second.shadowVersion,
        },
      },
    );
    expect(desired.errors).toBeUndefined();
    // A guard older than the record is still refused.
    const stale = await transition(d, 'ACTIVE', { expectedVersion: first.version });
    expect(stale.errors?.[0]?.extensions?.code).toBe('twin:device.version-conflict');
    device.close();
  });

  it('refuses a transition of a device that does not exist', async () => {
    const res = await transition({ tenantId: uniqueTenant(), deviceId: 'ghost' }, 'ACTIVE');
    expect(res.errors?.[0]?.extensions?.code).toBe('twin:device.not-found');
  });
});

describe('the twin workflow on a real Temporal server', () => {
  const key = () => ({ tenantId: uniqueTenant(), deviceId: 'burst' });
  const at = () => new Date().toISOString();

  // Sessions below claim the in-process gateway (stack.gatewayNodeId): it answers the gateway watchdog's
  // pings, so the watchdog leaves them alone.
  it('applies a replayed signal batch once', async () => {
    const k = key();
    const send = (batch: number, commands: DeviceCommand[]) =>
      sendToDeviceTwin(stack.temporal, k, { sender: 'test', batch, commands });
    await send(1, [
      { type: 'connect', at: at(), sessionId: 's1', gatewayNode: stack.gatewayNodeId, seq: 1 },
    ]);
    await send(2, [
      { type: 'transition', at: at(), to: 'maintenance', actor: 'test', reason: 'first' },
    ]);
    await send(2, [
      { type: 'transition', at: at(), to: 'inactive', actor: 'test', reason: 'replayed batch' },
    ]);
    await send(3, [{ type: 'report', at: at(), sessionId: 's1', seq: 2, state: { done: true } }]);
    const handle = stack.temporal.workflow.getHandle(deviceWorkflowId(k));
    const state = await eventually(async () => {
      const s = await handle.query(deviceStateQuery);
      return s.shadow.reported.done ? s : undefined;
    });
    expect(state.lifecycle).toMatchObject({ state: 'maintenance', reason: 'first' });
  });

  it('continues as new under a burst of signals without losing one', async () => {
    const k = key();
    const handle = stack.temporal.workflow.getHandle(deviceWorkflowId(k));
    await sendToDeviceTwin(stack.temporal, k, {
      sender: 'test',
      batch: 1,
      commands: [
        { type: 'connect', at: at(), sessionId: 's1', gatewayNode: stack.gatewayNodeId, seq: 1 },
      ],
    });
    const firstRun = (await handle.describe()).runId;
    // One signal per report, in device order (as the gateway sends them), as fast as Temporal takes them.
    const N = 400;
    for (let i = 0; i < N; i++) {
      await sendToDeviceTwin(stack.temporal, k, {
        sender: 'test',
        batch: 2 + i,
        commands: [
          { type: 'report', at: at(), sessionId: 's1', seq: 2 + i, state: { [`k${i}`]: i } },
        ],
      });
    }
    const state = await eventually(async () => {
      const s = await handle.query(deviceStateQuery);
      return Object.keys(s.shadow.reported).length === N ? s : undefined;
    }, 60_000);
    expect(Object.keys(state.shadow.reported).sort()).toEqual(
      Array.from({ length: N }, (_, i) => `k${i}`).sort(),
    );
    expect((await handle.describe()).runId).not.toBe(firstRun);
    const projected = await query(k);
    expect(Object.keys(projected.reported)).toHaveLength(N);
  }, 120_000);
});

describe('offline grace period', () => {
  it('a lost connection counts as online until the grace period ends, then offline', async () => {
    const d = await registered();
    const device = await connected(d);
    device.close();
    const lost = await eventually(async () => {
      const q = await query(d);
      return q.connectivity.offlineAfter ? q : undefined;
    });
    expect(lost.connectivity.status).toBe('ONLINE');
    const offline = await eventually(async () => {
      const q = await query(d);
      return q.connectivity.status === 'OFFLINE' ? q : undefined;
    });
    expect(offline.connectivity).toMatchObject({ reason: 'disconnected', offlineAfter: null });
  });

  it('a device that reconnects within the grace period never shows as offline', async () => {
    const d = await registered();
    (await connected(d)).close();
    await eventually(async () => ((await query(d)).connectivity.offlineAfter ? true : undefined));
    const back = await connected(d);
    await new Promise((r) => setTimeout(r, 2_500)); // past the first connection's deadline
    const q = await query(d);
    expect(q.connectivity).toMatchObject({ status: 'ONLINE', offlineAfter: null });
    const kinds = (
      await stack.database.sql`select kind from outbox where tenant_id = ${d.tenantId} order by id`
    ).map((r) => r.kind);
    expect(kinds).not.toContain('disconnected');
    back.close();
  });
});

describe('desired state through the gateway', () => {
  const DESIRE = `mutation ($i: UpdateDesiredInput!) { updateDesired(input: $i) { shadowVersion device { desired delta } } }`;
  const desire = (
    d: { tenantId: string; deviceId: string },
    patch: object,
    expectedVersion?: number,
  ) =>
    graphql(stack.apiUrl, DESIRE, {
      i: { tenantId: d.tenantId, deviceId: d.deviceId, patch, expectedVersion },
    });

  it('reaches an online device at once, and the delta closes when the device reports', async () => {
    const d = await registered();
    const device = await connected(d);
    const res = await desire(d, { led: { color: 'red' }, interval: 60 });
    expect(res.errors).toBeUndefined();
    expect(res.data.updateDesired.device.delta).toEqual({ led: { color: 'red' }, interval: 60 });
    const pushed = await device.next((m) => m.type === 'desired');
    expect(pushed).toEqual({
      type: 'desired',
      version: res.data.updateDesired.shadowVersion,
      state: { led: { color: 'red' }, interval: 60 },
    });

    device.send({ type: 'report', seq: 2, state: { led: { color: 'red' }, interval: 60 } });
    await device.next((m) => m.type === 'ack' && m.seq === 2);
    const synced = await eventually(async () => {
      const q = await graphql(
        stack.apiUrl,
        `
          query ($t: ID!, $d: ID!) {
            device(tenantId: $t, deviceId: $d) {
              delta
              reported
            }
          }
        `,
        {
          t: d.tenantId,
          d: d.deviceId,
        },
      );
      return Object.keys(q.data.device.delta).length === 0 ? q.data.device : undefined;
    });
    expect(synced.reported).toEqual({ led: { color: 'red' }, interval: 60 });
    device.close();
  });

  it('reaches an offline device when it reconnects', async () => {
    const d = await registered();
    await desire(d, { mode: 'eco' });
    const device = await connected(d);
    expect(await device.next((m) => m.type === 'desired')).toMatchObject({
      state: { mode: 'eco' },
    });
    device.close();
  });

  it('of two concurrent changes made against the same shadow version, one is refused', async () => {
    const d = await registered();
    const first = await desire(d, { a: 1 });
    const version = first.data.updateDesired.shadowVersion;
    const results = await Promise.all([desire(d, { a: 2 }, version), desire(d, { a: 3 }, version)]);
    const codes = results.map((r) => r.errors?.[0]?.extensions?.code ?? 'applied').sort();
    expect(codes).toEqual(['applied', 'twin:shadow.version-conflict']);
  });
});

describe('device tags', () => {
  it('tags a device, filters the fleet by tag and refuses an invalid tag', async () => {
    const d = await registered('tagged');
    await graphql(
      stack.apiUrl,
      `
        mutation ($i: RegisterDeviceInput!) {
          registerDevice(input: $i) {
            token
          }
        }
      `,
      {
        i: { tenantId: d.tenantId, deviceId: 'untagged' },
      },
    );
    const SET = `mutation ($i: SetDeviceTagsInput!) { setDeviceTags(input: $i) { version device { tags } } }`;
    const set = await graphql(stack.apiUrl, SET, {
      i: { tenantId: d.tenantId, deviceId: 'tagged', tags: ['north', 'rev-2', 'north'] },
    });
    expect(set.data.setDeviceTags.device.tags).toEqual(['north', 'rev-2']);
    const page = await graphql(
      stack.apiUrl,
      `
        query ($t: ID!) {
          devices(tenantId: $t, filter: { tag: "north" }) {
            nodes {
              deviceId
            }
          }
        }
      `,
      {
        t: d.tenantId,
      },
    );
    expect(page.data.devices.nodes).toEqual([{ deviceId: 'tagged' }]);
    const bad = await graphql(stack.apiUrl, SET, {
      i: { tenantId: d.tenantId, deviceId: 'tagged', tags: ['no spaces please'] },
    });
    expect(bad.errors?.[0]?.extensions?.code).toBe('twin:device.invalid-tag');
  });
});
