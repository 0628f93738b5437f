import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startGatewayProcess } from './support/gateway-process';
import { eventually, graphql } from './support/graphql';
import { bootPayload, connectStation, rpcCode } from './support/ocpp-station';
import {
  helloDevice,
  registerDevice,
  startTestStack,
  uniqueTenant,
  type TestStack,
} from './support/stack';

/**
 * Connectivity history and "why is this device offline", produced for real: native JSON
 * devices, MQTT.js for the will, ocpp-rpc stations, a gateway process killed for gateway-lost.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ idleTimeoutS: 8, offlineGraceMs: 0 });
});
afterAll(() => stack?.stop());

const WHY = `query ($t: ID!, $d: ID!) {
  whyOffline(tenantId: $t, deviceId: $d) { reason since detail }
  device(tenantId: $t, deviceId: $d) {
    connectivity { status reason }
    whyOffline { reason since detail }
    loginRefusals { count lastCode lastAt }
    connectivityHistory(first: 10) {
      totalCount
      nodes { sessionId gatewayNode protocol connectedAt disconnectedAt disconnectReason
        messagesIn messagesOut bytesIn bytesOut }
    }
  } }`;
const TRANSITION = `mutation ($i: TransitionDeviceInput!) { transitionDevice(input: $i) { version } }`;

async function why(tenantId: string, deviceId: string) {
  const q = await graphql(stack.apiUrl, WHY, { t: tenantId, d: deviceId });
  expect(q.errors).toBeUndefined();
  return q.data as { whyOffline: any; device: any };
}

/** Waits until "why offline" answers `reason`, and returns everything the query read. */
const whyBecomes = (tenantId: string, deviceId: string, reason: string) =>
  eventually(async () => {
    const q = await why(tenantId, deviceId);
    return q.whyOffline?.reason === reason ? q : undefined;
  }, 40_000);

/**
 * The device's newest connection once its end is in the history: a loaded machine may show the
 * answer of `whyOffline` a moment before the session's end (the CI met both orders).
 */
const endedSession = (tenantId: string, deviceId: string) =>
  eventually(async () => {
    const [newest] = (await why(tenantId, deviceId)).device.connectivityHistory.nodes;
    return newest?.disconnectReason ? newest : undefined;
  }, 30_000);

async function transition(tenantId: string, deviceId: string, to: string, replacedBy?: string) {
  const res = await graphql(stack.apiUrl, TRANSITION, {
    i: { tenantId, deviceId, to, reason: `test: ${to.toLowerCase()}`, replacedBy },
  });
  expect(res.errors).toBeUndefined();
}

const online = (tenantId: string, deviceId: string) =>
  eventually(async () => {
    const q = await why(tenantId, deviceId);
    return q.device.connectivity.status === 'ONLINE' ? q : undefined;
  });

const active = (tenantId: string, deviceId: string) =>
  eventually(async () => {
    const q = await graphql(
      stack.apiUrl,
      `
        query ($t: ID!, $d: ID!) {
          device(tenantId: $t, deviceId: $d) {
            lifecycle {
              state
            }
          }
        }
      `,
      { t: tenantId, d: deviceId },
    );
    return q.data?.device?.lifecycle.state === 'ACTIVE' ? true : undefined;
  });

describe('why is this device offline', () => {
  it('an unknown serial was never provisioned', async () => {
    const tenantId = uniqueTenant();
    const q = await why(tenantId, 'nobody');
    expect(q.device).toBeNull();
    expect(q.whyOffline.reason).toBe('NEVER_PROVISIONED');
  });

  it('a registered device that never connected was never activated; online answers null', async () => {
    const tenantId = uniqueTenant();
    const token = await registerDevice(stack, tenantId, 'fresh');
    const q = await why(tenantId, 'fresh');
    expect(q.whyOffline.reason).toBe('NEVER_ACTIVATED');
    expect(q.device.whyOffline.reason).toBe('NEVER_ACTIVATED');
    expect(q.device.connectivityHistory.totalCount).toBe(0);
    const device = await helloDevice(stack.gatewayUrl, { tenantId, deviceId: 'fresh', token });
    await online(tenantId, 'fresh');
    // Read again: the root field and the device's may have read either side of the connect.
    const now = await why(tenantId, 'fresh');
    expect(now.whyOffline).toBeNull();
    expect(now.device.whyOffline).toBeNull();
    device.close();
  });

  it('a device that closed its connection: DEVICE_CLOSED, its session with counts', async () => {
    const tenantId = uniqueTenant();
    const token = await registerDevice(stack, tenantId, 'closer');
    const device = await helloDevice(stack.gatewayUrl, { tenantId, deviceId: 'closer', token });
    const report = { type: 'report', seq: 2, state: { temperature: 21.5 } };
    device.send(report);
    await device.next((m) => m.type === 'ack' && m.seq === 2);
    device.close();
    const q = await whyBecomes(tenantId, 'closer', 'DEVICE_CLOSED');
    expect(q.device.connectivity.reason).toBe('disconnected');
    const [session] = q.device.connectivityHistory.nodes;
    expect(session).toMatchObject({
      gatewayNode: stack.gatewayNodeId,
      protocol: 'json',
      disconnectReason: 'DEVICE_CLOSED',
      // After the hello: the report in; the welcome and the ack out.
      messagesIn: 1,
      messagesOut: 2,
      bytesIn: Buffer.byteLength(JSON.stringify(report)),
    });
    expect(session.bytesOut).toBeGreaterThan(0);
    expect(Date.parse(session.disconnectedAt)).toBeGreaterThanOrEqual(
      Date.parse(session.connectedAt),
    );
  });

  it('a device that fell silent: HEARTBEAT_MISSED', async () => {
    const tenantId = uniqueTenant();
    const token = await registerDevice(stack, tenantId, 'mute');
    const device = await helloDevice(stack.gatewayUrl, { tenantId, deviceId: 'mute', token });
    // Stop reading: no pongs, no close frame — as a device that lost power or network.
    (device.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const q = await whyBecomes(tenantId, 'mute', 'HEARTBEAT_MISSED');
    expect(q.device.connectivityHistory.nodes[0].disconnectReason).toBe('HEARTBEAT_MISSED');
    device.ws.terminate();
  }, 60_000);

  it('an MQTT device that left a will and vanished: WILL', async () => {
    const tenantId = uniqueTenant('mq');
    const token = await registerDevice(stack, tenantId, 'meter');
    const client = await mqtt.connectAsync(stack.gatewayUrl.replace(/\/device$/, '/mqtt'), {
      protocolVersion: 4,
      reconnectPeriod: 0,
      clientId: `${tenantId}/meter`,
      username: `${tenantId}/meter`,
      password: token,
      will: { topic: 'will/meter', payload: Buffer.from('gone'), qos: 0, retain: false },
    });
    await online(tenantId, 'meter');
    client.stream.destroy(); // the network goes away: no DISCONNECT
    // The answer, then its session's end in the history (a loaded machine may show the one a
    // moment before the other).
    await whyBecomes(tenantId, 'meter', 'WILL');
    const session = await endedSession(tenantId, 'meter');
    expect(session).toMatchObject({ protocol: 'mqtt', disconnectReason: 'WILL' });
    // The CONNACK went out after the link opened.
    expect(session.messagesOut).toBeGreaterThanOrEqual(1);
    client.end(true);
  });

  it('a device whose gateway died: GATEWAY_LOST', async () => {
    const tenantId = uniqueTenant();
    const token = await registerDevice(stack, tenantId, 'orphan');
    const node = `doomed-${tenantId}`;
    const gateway = await startGatewayProcess(
      { temporalAddress: inject('temporalAddress'), databaseUrl: inject('databaseUrl') },
      node,
    );
    try {
      await helloDevice(gateway.url, { tenantId, deviceId: 'orphan', token });
      await online(tenantId, 'orphan');
    } finally {
      await gateway.crash(); // no close frames, no disconnects
    }
    await whyBecomes(tenantId, 'orphan', 'GATEWAY_LOST');
    const session = await endedSession(tenantId, 'orphan');
    // The dead gateway's counts died with it.
    expect(session).toMatchObject({
      gatewayNode: node,
      disconnectReason: 'GATEWAY_LOST',
      messagesIn: null,
    });
  }, 60_000);

  it('a station whose password is refused: REFUSED_CREDENTIALS with the refusal', async () => {
    const tenantId = uniqueTenant('ocpp');
    const deviceId = `cp-${Math.random().toString(36).slice(2, 8)}`;
    const token = await registerDevice(stack, tenantId, deviceId);
    const cp = await connectStation(stack.ocppUrl, 'ocpp1.6', deviceId, token, tenantId);
    await cp.call('BootNotification', bootPayload('ocpp1.6'));
    await online(tenantId, deviceId);
    await cp.close();
    await whyBecomes(tenantId, deviceId, 'DEVICE_CLOSED');
    // Its password was changed on the station, or revoked: every login is refused now.
    for (let i = 0; i < 3; i++)
      expect(
        await rpcCode(
          connectStation(stack.ocppUrl, 'ocpp1.6', deviceId, 'dpl_wrong-0000000', tenantId),
        ),
      ).toBe(401);
    // The refusals are counted by a write of their own, which may land after the reason shows.
    await expect
      .poll(
        async () =>
          (await whyBecomes(tenantId, deviceId, 'REFUSED_CREDENTIALS')).device.loginRefusals,
      )
      .toMatchObject({ count: 3, lastCode: 'gateway:auth.refused' });
    const q = await whyBecomes(tenantId, deviceId, 'REFUSED_CREDENTIALS');
    expect(q.device.loginRefusals).toMatchObject({ count: 3, lastCode: 'gateway:auth.refused' });
    expect(q.whyOffline.since).toBe(q.device.loginRefusals.lastAt);
    expect(q.whyOffline.detail).toContain('gateway:auth.refused');
    const [session] = q.device.connectivityHistory.nodes;
    // BootNotification in (before the link opened, counted once it did), its answer out.
    expect(session).toMatchObject({
      protocol: 'ocpp1.6',
      disconnectReason: 'DEVICE_CLOSED',
      messagesIn: 1,
      messagesOut: 1,
    });
  });

  it('a retired device: RETIRED, and its connection closed by the server', async () => {
    const tenantId = uniqueTenant();
    const token = await registerDevice(stack, tenantId, 'old');
    const device = await helloDevice(stack.gatewayUrl, { tenantId, deviceId: 'old', token });
    await active(tenantId, 'old');
    await transition(tenantId, 'old', 'RETIRED');
    await device.closed();
    const q = await eventually(async () => {
      const r = await why(tenantId, 'old');
      return r.device.connectivityHistory.nodes[0]?.disconnectReason ? r : undefined;
    });
    expect(q.whyOffline).toMatchObject({ reason: 'RETIRED', detail: 'test: retired' });
    expect(q.device.connectivityHistory.nodes[0].disconnectReason).toBe('SERVER_CLOSED');
  });

  it('a replaced device: REPLACED, naming its successor', async () => {
    const tenantId = uniqueTenant();
    const token = await registerDevice(stack, tenantId, 'first');
    await registerDevice(stack, tenantId, 'second');
    const device = await helloDevice(stack.gatewayUrl, { tenantId, deviceId: 'first', token });
    await active(tenantId, 'first');
    device.close();
    await whyBecomes(tenantId, 'first', 'DEVICE_CLOSED');
    await transition(tenantId, 'first', 'REPLACED', 'second');
    const q = await whyBecomes(tenantId, 'first', 'REPLACED');
    expect(q.whyOffline.detail).toContain('second');
  });
});

describe('connectivity history', () => {
  it('counts reconnects and pages through the sessions, newest first', async () => {
    const tenantId = uniqueTenant();
    const token = await registerDevice(stack, tenantId, 'flappy');
    const from = new Date().toISOString();
    for (let i = 0; i < 3; i++) {
      const device = await helloDevice(stack.gatewayUrl, { tenantId, deviceId: 'flappy', token });
      await online(tenantId, 'flappy');
      device.close();
      await whyBecomes(tenantId, 'flappy', 'DEVICE_CLOSED');
    }
    const PAGE = `query ($t: ID!, $from: DateTime!, $after: String) {
      device(tenantId: $t, deviceId: "flappy") {
        reconnects(from: $from)
        connectivityHistory(first: 2, after: $after) {
          totalCount pageInfo { hasNextPage endCursor } nodes { sessionId connectedAt }
        } } }`;
    const one = await graphql(stack.apiUrl, PAGE, { t: tenantId, from });
    expect(one.errors).toBeUndefined();
    expect(one.data.device.reconnects).toBe(2);
    const first = one.data.device.connectivityHistory;
    expect(first.totalCount).toBe(3);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const two = await graphql(stack.apiUrl, PAGE, {
      t: tenantId,
      from,
      after: first.pageInfo.endCursor,
    });
    const second = two.data.device.connectivityHistory;
    expect(second.pageInfo.hasNextPage).toBe(false);
    const all = [...first.nodes, ...second.nodes];
    expect(new Set(all.map((n: { sessionId: string }) => n.sessionId)).size).toBe(3);
    const times = all.map((n: { connectedAt: string }) => Date.parse(n.connectedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const bad = await graphql(stack.apiUrl, PAGE, { t: tenantId, from, after: 'nonsense' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('api:input.invalid-cursor');
  });

  it('uptime leaves a maintenance window out', async () => {
    const tenantId = uniqueTenant();
    const token = await registerDevice(stack, tenantId, 'port-1');
    const device = await helloDevice(stack.gatewayUrl, { tenantId, deviceId: 'port-1', token });
    await active(tenantId, 'port-1');
    const from = new Date().toISOString();
    await transition(tenantId, 'port-1', 'MAINTENANCE');
    await transition(tenantId, 'port-1', 'ACTIVE');
    const UPTIME = `query ($t: ID!, $from: DateTime!, $to: DateTime) {
      device(tenantId: $t, deviceId: "port-1") {
        lifecycleHistory { to at }
        connectivityHistory(first: 1) { nodes { disconnectedAt } }
        uptime(from: $from, to: $to) { from to percentage periodSeconds maintenanceSeconds onlineSeconds }
      } }`;
    // Connected all along: maintenance is left out, the rest is all uptime.
    const q = await graphql(stack.apiUrl, UPTIME, { t: tenantId, from });
    expect(q.errors).toBeUndefined();
    const history = q.data.device.lifecycleHistory as Array<{ to: string; at: string }>;
    const start = Date.parse(history.find((h) => h.to === 'MAINTENANCE')!.at);
    const end = Date.parse(history.findLast((h) => h.to === 'ACTIVE')!.at);
    const up = q.data.device.uptime;
    expect(up.maintenanceSeconds).toBeCloseTo((end - start) / 1000, 3);
    expect(up.maintenanceSeconds).toBeGreaterThan(0);
    expect(up.percentage).toBe(100);
    expect(up.onlineSeconds).toBeCloseTo(up.periodSeconds - up.maintenanceSeconds, 3);

    // Disconnected: the time since is down time, the maintenance window still left out.
    device.close();
    await whyBecomes(tenantId, 'port-1', 'DEVICE_CLOSED');
    const to = new Date(Date.now() + 1).toISOString();
    const later = await graphql(stack.apiUrl, UPTIME, { t: tenantId, from, to });
    const u = later.data.device.uptime;
    const closedAt = Date.parse(later.data.device.connectivityHistory.nodes[0].disconnectedAt);
    const online = (closedAt - Date.parse(from) - (end - start)) / 1000;
    expect(u.onlineSeconds).toBeCloseTo(online, 3);
    expect(u.percentage).toBeCloseTo(
      (100 * u.onlineSeconds) / (u.periodSeconds - u.maintenanceSeconds),
      4,
    );
    expect(u.percentage).toBeLessThan(100);
    const bad = await graphql(stack.apiUrl, UPTIME, { t: tenantId, from: to, to: from });
    expect(bad.errors?.[0]?.extensions?.code).toBe('api:input.invalid-period');
  });
});
