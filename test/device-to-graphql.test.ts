import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceWorkflowId } from '../twins/ids';
import { TestDevice } from './support/device-client';
import { eventually, graphql, sseSubscription, testConnectionParams } from './support/graphql';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ helloTimeoutMs: 1_500 });
});
afterAll(() => stack?.stop());

const REGISTER = /* GraphQL */ `
  mutation ($input: RegisterDeviceInput!) {
    registerDevice(input: $input) {
      workflowId
      token
    }
  }
`;
const DEVICE = /* GraphQL */ `
  query ($tenantId: ID!, $deviceId: ID!) {
    device(tenantId: $tenantId, deviceId: $deviceId) {
      workflowId
      model
      firmware
      version
      reported
      lifecycle {
        state
        actor
        reason
      }
      connectivity {
        status
        reason
        since
      }
    }
  }
`;

async function register(tenantId: string, deviceId: string) {
  const res = await graphql(stack.apiUrl, REGISTER, {
    input: { tenantId, deviceId, model: 'wallbox-x' },
  });
  expect(res.errors).toBeUndefined();
  return res.data.registerDevice.token as string;
}

async function deviceOf(tenantId: string, deviceId: string) {
  const res = await graphql(stack.apiUrl, DEVICE, { tenantId, deviceId });
  expect(res.errors).toBeUndefined();
  return res.data.device;
}

/** Connects, says hello and waits for welcome. */
async function online(tenantId: string, deviceId: string, token: string) {
  const device = await TestDevice.connect(stack.gatewayUrl);
  device.send({
    type: 'hello',
    seq: 1,
    tenant: tenantId,
    device: deviceId,
    token,
    firmware: '1.4.2',
  });
  expect(await device.next((m) => m.type === 'welcome' || m.type === 'error')).toMatchObject({
    type: 'welcome',
    seq: 1,
  });
  return device;
}

describe('a device from the gateway to GraphQL and Temporal', () => {
  it('appears in GraphQL with lifecycle, connectivity and reported state, and in Temporal with search attributes', async () => {
    const tenantId = uniqueTenant();
    const token = await register(tenantId, 'charger-1');
    const device = await online(tenantId, 'charger-1', token);

    device.send({ type: 'report', seq: 2, state: { temperature: 21.5, status: 'Available' } });
    expect(await device.next((m) => m.seq === 2)).toEqual({ type: 'ack', seq: 2 });

    const projected = await eventually(async () => {
      const d = await deviceOf(tenantId, 'charger-1');
      // The report is committed by the gateway; the activation by the twin, on its notice.
      return d?.reported?.temperature === 21.5 && d.lifecycle.state === 'ACTIVE' ? d : undefined;
    });
    expect(projected).toMatchObject({
      workflowId: `device:${tenantId}:charger-1`,
      model: 'wallbox-x',
      firmware: '1.4.2',
      lifecycle: { state: 'ACTIVE', actor: 'device', reason: 'first connection' },
      connectivity: { status: 'ONLINE', reason: null },
      reported: { temperature: 21.5, status: 'Available' },
    });

    const handle = stack.temporal.workflow.getHandle(
      deviceWorkflowId({ tenantId, deviceId: 'charger-1' }),
    );
    const attrs = await eventually(async () => {
      const sa = (await handle.describe()).searchAttributes as Record<string, unknown[]>;
      return sa.LifecycleState?.[0] === 'active' && sa.Online?.[0] === true ? sa : undefined;
    });
    expect(attrs).toMatchObject({
      TenantId: [tenantId],
      DeviceModel: ['wallbox-x'],
      FirmwareVersion: ['1.4.2'],
    });

    device.close();
    const offline = await eventually(async () => {
      const d = await deviceOf(tenantId, 'charger-1');
      return d.connectivity.status === 'OFFLINE' ? d : undefined;
    });
    expect(offline.connectivity.reason).toBe('disconnected');
    expect(offline.version).toBeGreaterThan(projected.version);
  });

  it('delivers twin changes to a graphql-ws subscriber and to an SSE subscriber', async () => {
    const tenantId = uniqueTenant();
    const token = await register(tenantId, 'meter-7');
    const query = `subscription ($t: ID!, $d: ID) { deviceChanged(tenantId: $t, deviceId: $d) { cursor kind version device { reported connectivity { status } } } }`;

    const wsChanges: any[] = [];
    const client = createClient({
      url: stack.apiUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      lazy: false,
      connectionParams: testConnectionParams(),
    });
    const subscribed = new Promise<void>((resolve) => client.on('connected', () => resolve()));
    const unsubscribe = client.subscribe(
      { query, variables: { t: tenantId, d: 'meter-7' } },
      { next: (v) => wsChanges.push(v.data?.deviceChanged), error: () => {}, complete: () => {} },
    );
    await subscribed;

    const sse = await sseSubscription(
      stack.apiUrl,
      query,
      { t: tenantId },
      (e) => e.data?.deviceChanged,
    );
    const sseChanges = sse.events;
    await new Promise((r) => setTimeout(r, 300)); // let both subscriptions attach to the feed

    const device = await online(tenantId, 'meter-7', token);
    device.send({ type: 'report', seq: 2, state: { energyKWh: 12.5 } });
    await device.next((m) => m.seq === 2);

    for (const changes of [wsChanges, sseChanges]) {
      const reported = await eventually(async () => changes.find((c) => c?.kind === 'reported'));
      expect(reported.device.reported).toEqual({ energyKWh: 12.5 });
      expect(reported.device.connectivity.status).toBe('ONLINE');
      // The activation comes from the twin, on its notice, after the gateway's commits.
      const kinds = await eventually(async () => {
        const seen = changes.map((c) => c.kind);
        return ['lifecycle-changed', 'connected', 'reported'].every((k) => seen.includes(k))
          ? seen
          : undefined;
      });
      expect(kinds).toEqual(expect.arrayContaining(['lifecycle-changed', 'connected', 'reported']));
      const versions = changes.map((c) => c.version);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
    }
    unsubscribe();
    await client.dispose();
    await sse.close();
    device.close();
  });

  it('applies a retried report once and keeps the connection after an invalid message', async () => {
    const tenantId = uniqueTenant();
    const token = await register(tenantId, 'sensor-2');
    const device = await online(tenantId, 'sensor-2', token);

    device.send('{"type":"report","seq":2,"state":{"door":"open"}');
    expect(await device.next((m) => m.code === 'gateway:json.malformed')).toMatchObject({
      type: 'error',
    });
    device.send({ type: 'report', seq: 3, state: {} });
    expect(await device.next((m) => m.seq === 3)).toMatchObject({
      type: 'error',
      code: 'gateway:json.invalid-message',
    });

    device.send({ type: 'report', seq: 4, state: { door: 'open' } });
    await device.next((m) => m.type === 'ack' && m.seq === 4);
    device.send({ type: 'report', seq: 4, state: { door: 'closed' } }); // a retry with the same seq
    await device.next(
      (m) =>
        m.type === 'ack' && m.seq === 4 && device.received.filter((x) => x.seq === 4).length === 2,
    );
    device.send({ type: 'report', seq: 5, state: { battery: 80 } });
    await device.next((m) => m.type === 'ack' && m.seq === 5);

    const d = await eventually(async () => {
      const found = await deviceOf(tenantId, 'sensor-2');
      return found?.reported?.battery === 80 ? found : undefined;
    });
    expect(d.reported).toEqual({ door: 'open', battery: 80 });
    expect(device.closeCode).toBeNull();
    device.close();
  });

  it('refuses a wrong token, an unknown device, a report before hello and a silent connection', async () => {
    const tenantId = uniqueTenant();
    await register(tenantId, 'known');
    const cases = [
      {
        hello: { type: 'hello', seq: 1, tenant: tenantId, device: 'known', token: 'dpl_wrong' },
        code: 4401,
      },
      {
        hello: { type: 'hello', seq: 1, tenant: tenantId, device: 'nobody', token: 'dpl_x' },
        code: 4401,
      },
      { hello: { type: 'report', seq: 1, state: { a: 1 } }, code: 4400 },
      { hello: null, code: 4408 },
    ];
    for (const c of cases) {
      const device = await TestDevice.connect(stack.gatewayUrl);
      if (c.hello) device.send(c.hello);
      expect(await device.closed()).toBe(c.code);
      expect(device.received.at(-1)).toMatchObject({ type: 'error' });
    }
    expect(await deviceOf(tenantId, 'nobody')).toBeNull();
  });

  it('refuses a second registration of a device and an invalid id with stable error codes', async () => {
    const tenantId = uniqueTenant();
    await register(tenantId, 'dup');
    const again = await graphql(stack.apiUrl, REGISTER, { input: { tenantId, deviceId: 'dup' } });
    expect(again.errors?.[0]?.extensions?.code).toBe('twin:device.already-registered');
    const bad = await graphql(stack.apiUrl, REGISTER, {
      input: { tenantId, deviceId: 'has space' },
    });
    expect(bad.errors?.[0]?.extensions?.code).toBe('api:input.invalid-id');
  });
});
