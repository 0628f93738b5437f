import mqtt, { type IClientOptions, type IConnackPacket, type MqttClient } from 'mqtt';
import type { IPubackPacket } from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, graphql } from './support/graphql';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

/** MQTT 3.1.1 and 5 over WebSocket with MQTT.js, a real client, against the whole stack. */

let stack: TestStack;
let url: string;
beforeAll(async () => {
  stack = await startTestStack();
  url = stack.gatewayUrl.replace(/\/device$/, '/mqtt');
});
afterAll(() => stack?.stop());

const clients: MqttClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
});

const REGISTER = `mutation ($input: RegisterDeviceInput!) { registerDevice(input: $input) { token } }`;
const DEVICE = `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) { reported connectivity { status reason } } }`;
const DESIRE = `mutation ($i: UpdateDesiredInput!) { updateDesired(input: $i) { shadowVersion } }`;

async function register(tenantId: string, deviceId: string): Promise<string> {
  const res = await graphql(stack.apiUrl, REGISTER, { input: { tenantId, deviceId } });
  expect(res.errors).toBeUndefined();
  return res.data.registerDevice.token as string;
}

async function deviceOf(tenantId: string, deviceId: string) {
  const res = await graphql(stack.apiUrl, DEVICE, { t: tenantId, d: deviceId });
  expect(res.errors).toBeUndefined();
  return res.data.device;
}

async function desire(tenantId: string, deviceId: string, patch: Record<string, unknown>) {
  const res = await graphql(stack.apiUrl, DESIRE, { i: { tenantId, deviceId, patch } });
  expect(res.errors).toBeUndefined();
  return res.data.updateDesired.shadowVersion as number;
}

/** Resolves with the connected client, rejects with the CONNACK refusal. */
async function connect(version: 4 | 5, options: IClientOptions): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, {
    protocolVersion: version,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...options,
  });
  clients.push(client);
  return client;
}

async function newDevice(version: 4 | 5, options: IClientOptions = {}) {
  const tenantId = uniqueTenant('mq');
  const deviceId = 'meter-1';
  const token = await register(tenantId, deviceId);
  const login = { username: `${tenantId}/${deviceId}`, password: token };
  const client = await connect(version, {
    clientId: `${tenantId}/${deviceId}`,
    ...login,
    ...options,
  });
  return { tenantId, deviceId, token, login, client, topic: `doppel/${tenantId}/${deviceId}` };
}

const closedOf = (client: MqttClient) =>
  new Promise<void>((resolve) =>
    client.connected ? client.once('close', () => resolve()) : resolve(),
  );

describe.each([4, 5] as const)('MQTT over WebSocket, protocol level %i', (version) => {
  it('acknowledges a QoS 1 report and shows it in GraphQL with the device online', async () => {
    const { tenantId, deviceId, client, topic } = await newDevice(version);
    const ack = await client.publishAsync(`${topic}/report`, JSON.stringify({ kWh: 12.5 }), {
      qos: 1,
    });
    if (version === 5) expect((ack as IPubackPacket | undefined)?.reasonCode ?? 0).toBe(0);
    const device = await eventually(async () => {
      const d = await deviceOf(tenantId, deviceId);
      return d?.reported?.kWh === 12.5 ? d : undefined;
    });
    expect(device.connectivity).toEqual({ status: 'ONLINE', reason: null });

    // A clean DISCONNECT is an orderly goodbye, not a failure.
    await client.endAsync();
    const offline = await eventually(async () => {
      const d = await deviceOf(tenantId, deviceId);
      return d.connectivity.status === 'OFFLINE' ? d : undefined;
    });
    expect(offline.connectivity.reason).toBe('disconnected');
  });

  it('stores telemetry samples in PostgreSQL before the PUBACK, not in the twin', async () => {
    const { tenantId, deviceId, client, topic } = await newDevice(version);
    const samples = [
      { at: '2026-11-22T08:00:00.000Z', values: { power: 7.2 } },
      { at: '2026-11-22T08:00:10.000Z', values: { power: 7.4 } },
    ];
    await client.publishAsync(`${topic}/telemetry`, JSON.stringify({ samples }), { qos: 1 });
    // Acknowledged means committed: the rows are there now, not eventually.
    const q = await graphql(
      stack.apiUrl,
      `
        query ($t: ID!, $d: ID!) {
          device(tenantId: $t, deviceId: $d) {
            reported
            telemetry {
              values
            }
          }
        }
      `,
      {
        t: tenantId,
        d: deviceId,
      },
    );
    expect(q.data.device.telemetry).toEqual([
      { values: { power: 7.4 } },
      { values: { power: 7.2 } },
    ]);
    expect(q.data.device.reported).toEqual({});
    if (version === 5) {
      // MQTT.js turns the negative PUBACK (0x99) into a rejected publish.
      await expect(
        client.publishAsync(`${topic}/telemetry`, JSON.stringify({ samples: [{ at: 'now' }] }), {
          qos: 1,
        }),
      ).rejects.toThrow(/Payload format invalid/);
    }
    await client.endAsync();
  });

  it('refuses a wrong token, an unknown device and a client id of another device', async () => {
    const tenantId = uniqueTenant('mq');
    const token = await register(tenantId, 'known');
    const refused = version === 5 ? 0x87 : 5;
    const attempts: IClientOptions[] = [
      { clientId: `${tenantId}/known`, username: `${tenantId}/known`, password: 'dpl_wrong' },
      { clientId: `${tenantId}/nobody`, username: `${tenantId}/nobody`, password: token },
      { clientId: `${tenantId}/other`, username: `${tenantId}/known`, password: token },
    ];
    for (const attempt of attempts) {
      const error = await connect(version, attempt).then(
        () => null,
        (e: { code?: number }) => e,
      );
      expect(error?.code).toBe(refused);
    }
    expect(await deviceOf(tenantId, 'nobody')).toBeNull();
    // The same token with the right ids is admitted, and an empty client id is assigned.
    const ok = mqtt.connect(url, {
      protocolVersion: version,
      reconnectPeriod: 0,
      clientId: '',
      username: `${tenantId}/known`,
      password: token,
    });
    clients.push(ok);
    const connack = await new Promise<IConnackPacket>((resolve) => ok.once('connect', resolve));
    expect(ok.connected).toBe(true);
    if (version === 5)
      expect(connack.properties?.assignedClientIdentifier).toBe(`${tenantId}/known`);
  });

  it('delivers desired changes on the subscribed desired topic, the latest one on subscribe', async () => {
    const { tenantId, deviceId, client, topic } = await newDevice(version);
    // Changed before the device subscribed: kept until it does.
    const early = await desire(tenantId, deviceId, { interval: 30 });
    const messages: Array<{ topic: string; body: any; qos: number }> = [];
    client.on('message', (t, payload, packet) =>
      messages.push({ topic: t, body: JSON.parse(payload.toString()), qos: packet.qos }),
    );
    const granted = await client.subscribeAsync(`${topic}/desired`, { qos: 1 });
    expect(granted[0]?.qos).toBe(1);
    const first = await eventually(async () => messages[0]);
    expect(first).toEqual({
      topic: `${topic}/desired`,
      body: { version: early, state: { interval: 30 } },
      qos: 1,
    });

    const later = await desire(tenantId, deviceId, { led: 'red' });
    const second = await eventually(async () => messages.find((m) => m.body.version === later));
    expect(second.body.state).toEqual({ interval: 30, led: 'red' });
  });

  it('refuses a subscription to another topic and keeps the connection', async () => {
    const { client, tenantId } = await newDevice(version);
    // MQTT.js reports a refused subscription as an error carrying the SUBACK.
    const error = await client
      .subscribeAsync([`doppel/${tenantId}/other/desired`, 'doppel/#'], { qos: 1 })
      .then(
        () => null,
        (e: { packet?: { granted: number[] } }) => e,
      );
    const refused = version === 5 ? 0x87 : 0x80;
    expect(error?.packet?.granted).toEqual([refused, refused]);
    expect(client.connected).toBe(true);
  });

  it('marks the device offline with reason "will" when the socket ends without DISCONNECT', async () => {
    const { tenantId, deviceId, client } = await newDevice(version, {
      will: { topic: `will/${version}`, payload: Buffer.from('gone'), qos: 0, retain: false },
    });
    await eventually(async () =>
      (await deviceOf(tenantId, deviceId))?.connectivity.status === 'ONLINE' ? true : undefined,
    );
    client.stream.destroy(); // the network goes away: no DISCONNECT
    const offline = await eventually(async () => {
      const d = await deviceOf(tenantId, deviceId);
      return d.connectivity.status === 'OFFLINE' ? d : undefined;
    });
    expect(offline.connectivity.reason).toBe('will');
  });

  it('lets a second connection with the same client id take the session over', async () => {
    const { tenantId, deviceId, client: first, login, topic } = await newDevice(version);
    const disconnects: number[] = [];
    first.on('disconnect', (packet) => disconnects.push(packet.reasonCode ?? -1));
    const firstClosed = closedOf(first);

    // Without the device's token the client id is not taken over: the first stays connected.
    const intruder = await connect(version, {
      clientId: `${tenantId}/${deviceId}`,
      username: `${tenantId}/${deviceId}`,
      password: 'dpl_guess',
    }).then(
      () => null,
      (e: { code?: number }) => e,
    );
    expect(intruder?.code).toBe(version === 5 ? 0x87 : 5);
    // The same device id in another tenant is another client id: nothing is taken over.
    const neighbour = await newDevice(version);
    expect(neighbour.deviceId).toBe(deviceId);
    expect(neighbour.client.connected).toBe(true);
    expect(first.connected).toBe(true);

    const second = await connect(version, { clientId: `${tenantId}/${deviceId}`, ...login });
    await firstClosed;
    if (version === 5) expect(disconnects).toEqual([0x8e]);
    expect(first.connected).toBe(false);

    await second.publishAsync(`${topic}/report`, '{"door":"open"}', { qos: 1 });
    const device = await eventually(async () => {
      const d = await deviceOf(tenantId, deviceId);
      return d?.reported?.door === 'open' ? d : undefined;
    });
    expect(device.connectivity.status).toBe('ONLINE');
    expect(second.connected).toBe(true);
  });
});
