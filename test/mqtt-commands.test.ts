import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { untilRollout } from './support/firmware-device';
import { eventually, graphql } from './support/graphql';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';
import { TwinGraph } from './support/twin-graph';

/**
 * Commands to MQTT devices (docs/mqtt.md, "Commands") with MQTT.js at protocol levels 4 (3.1.1)
 * and 5, through the real gateway, Temporal and PostgreSQL.
 */

let stack: TestStack;
let url: string;
beforeAll(async () => {
  stack = await startTestStack();
  url = stack.gatewayUrl.replace(/\/device$/, '/mqtt');
});
const clients: MqttClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
  await stack?.stop();
});

const REGISTER = `mutation ($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }`;
const SEND = `mutation ($i: SendCommandInput!) { sendCommand(input: $i) { commandId device { commands { id status } } } }`;
const COMMANDS = `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) { commands { id name status result expiresAt } } }`;

interface Device {
  tenantId: string;
  deviceId: string;
  token: string;
  /** The device's own topic prefix. */
  prefix: string;
}

async function register(tenantId: string, deviceId: string, model?: string): Promise<Device> {
  const res = await graphql(stack.apiUrl, REGISTER, { i: { tenantId, deviceId, model } });
  expect(res.errors).toBeUndefined();
  const token = res.data.registerDevice.token as string;
  return { tenantId, deviceId, token, prefix: `doppel/${tenantId}/${deviceId}` };
}

/** A received command: its topic, parsed payload and the MQTT 5 properties. */
interface Received {
  topic: string;
  body: { id: string; name: string; params: Record<string, unknown>; expiresAt?: string };
  properties: IPublishPacket['properties'];
}

/**
 * Connects the device and (unless told not to) subscribes to its commands; every command it
 * gets lands in `received`.
 */
async function online(version: 4 | 5, d: Device, options: IClientOptions & { later?: true } = {}) {
  const { later, ...clientOptions } = options;
  const client = await mqtt.connectAsync(url, {
    protocolVersion: version,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    clientId: `${d.tenantId}/${d.deviceId}`,
    username: `${d.tenantId}/${d.deviceId}`,
    password: d.token,
    ...clientOptions,
  });
  clients.push(client);
  const received: Received[] = [];
  client.on('message', (topic, payload, packet) => {
    if (topic.startsWith(`${d.prefix}/commands/`))
      received.push({ topic, body: JSON.parse(payload.toString()), properties: packet.properties });
  });
  const subscribe = async () => {
    const granted = await client.subscribeAsync(`${d.prefix}/commands/+`, { qos: 1 });
    expect(granted[0]?.qos).toBe(1);
  };
  if (!later) await subscribe();
  const next = (seen = 0) => eventually(async () => received[seen], 45_000);
  return { client, received, next, subscribe };
}

/** Answers a command the way docs/mqtt.md says for the protocol level. */
async function answer(
  version: 4 | 5,
  client: MqttClient,
  d: Device,
  command: Received,
  status: 'accepted' | 'rejected' | 'failed',
  result: Record<string, unknown>,
) {
  if (version === 5) {
    // MQTT 5 request/response: to the Response Topic, with the Correlation Data unchanged.
    const props = command.properties!;
    await client.publishAsync(props.responseTopic!, JSON.stringify({ status, result }), {
      qos: 1,
      properties: { correlationData: props.correlationData! },
    });
  } else {
    await client.publishAsync(
      `${d.prefix}/command-results`,
      JSON.stringify({ id: command.body.id, status, result }),
      { qos: 1 },
    );
  }
}

async function send(d: Device, input: Record<string, unknown>): Promise<string> {
  const res = await graphql(stack.apiUrl, SEND, {
    i: { tenantId: d.tenantId, deviceId: d.deviceId, ...input },
  });
  expect(res.errors).toBeUndefined();
  return res.data.sendCommand.commandId as string;
}

const commandOf = (d: Device, id: string, status: string) =>
  eventually(async () => {
    const q = await graphql(stack.apiUrl, COMMANDS, { t: d.tenantId, d: d.deviceId });
    const c = (
      q.data.device.commands as Array<{ id: string; status: string; expiresAt: string }>
    ).find((x) => x.id === id);
    return c?.status === status ? c : undefined;
  });

describe.each([4, 5] as const)('commands over MQTT, protocol level %i', (version) => {
  it('delivers a command on its own topic and records the answer on the twin', async () => {
    const d = await register(uniqueTenant('mc'), 'lamp');
    const device = await online(version, d);
    const id = await send(d, { name: 'blink', params: { times: 3 }, ttlSeconds: 600 });
    const command = await device.next();
    expect(command.topic).toBe(`${d.prefix}/commands/${id}`);
    expect(command.body).toMatchObject({ id, name: 'blink', params: { times: 3 } });
    expect(Date.parse(command.body.expiresAt!)).toBeGreaterThan(Date.now());
    if (version === 5) {
      expect(command.properties?.responseTopic).toBe(`${d.prefix}/command-results`);
      expect(command.properties?.correlationData?.toString()).toBe(id);
      expect(command.properties?.messageExpiryInterval).toBeGreaterThan(0);
      expect(command.properties?.messageExpiryInterval).toBeLessThanOrEqual(600);
    }
    await answer(version, device.client, d, command, 'accepted', { blinked: 3 });
    expect(await commandOf(d, id, 'SUCCEEDED')).toMatchObject({
      name: 'blink',
      result: { blinked: 3 },
    });
  });

  it('delivers a command sent while the device was offline once it connects', async () => {
    const d = await register(uniqueTenant('mc'), 'sleeper');
    const id = await send(d, { name: 'reboot', commandId: 'reboot/1 #a' });
    const device = await online(version, d);
    const command = await device.next();
    // Any command id is carried: percent-encoded in the topic, as it is in the payload.
    expect(command.topic).toBe(`${d.prefix}/commands/reboot%2F1%20%23a`);
    expect(command.body.id).toBe(id);
    await answer(version, device.client, d, command, 'rejected', { reason: 'busy' });
    expect(await commandOf(d, id, 'REJECTED')).toMatchObject({ result: { reason: 'busy' } });
  });

  it('delivers again, on the next connection, a command left unanswered when the connection ended', async () => {
    const d = await register(uniqueTenant('mc'), 'flaky');
    const first = await online(version, d);
    const id = await send(d, { name: 'calibrate' });
    // MQTT.js acknowledges the publish; the device then drops off without answering.
    expect((await first.next()).body.id).toBe(id);
    await first.client.endAsync(true);
    const second = await online(version, d);
    const again = await second.next();
    expect(again.body).toMatchObject({ id, name: 'calibrate' });
    await answer(version, second.client, d, again, 'accepted', { offset: 0.2 });
    expect(await commandOf(d, id, 'SUCCEEDED')).toMatchObject({ result: { offset: 0.2 } });
  });

  it('never delivers a command that expired while the device was offline', async () => {
    const d = await register(uniqueTenant('mc'), 'absent');
    const stale = await send(d, { name: 'open-valve', ttlSeconds: 1 });
    await commandOf(d, stale, 'EXPIRED');
    const device = await online(version, d);
    const fresh = await send(d, { name: 'close-valve' });
    // Pending commands go out in order on connect: the stale one would have come first.
    const command = await device.next();
    expect(command.body).toMatchObject({ id: fresh, name: 'close-valve' });
    await answer(version, device.client, d, command, 'accepted', {});
    await commandOf(d, fresh, 'SUCCEEDED');
    expect(device.received.map((r) => r.body.id)).toEqual([fresh]);
  });

  it('never delivers a command whose time-to-live ran out before the device subscribed', async () => {
    const d = await register(uniqueTenant('mc'), 'late');
    const device = await online(version, d, { later: true });
    const stale = await send(d, { name: 'open-valve', ttlSeconds: 1 });
    // Handed to the gateway, where it waits for the device to subscribe.
    const sent = await commandOf(d, stale, 'SENT');
    await new Promise((r) => setTimeout(r, Date.parse(sent.expiresAt) - Date.now() + 100));
    await device.subscribe();
    const fresh = await send(d, { name: 'close-valve' });
    const command = await device.next();
    expect(command.body.id).toBe(fresh);
    expect(await commandOf(d, stale, 'EXPIRED')).toMatchObject({
      result: { reason: 'expired before delivery' },
    });
    expect(device.received.map((r) => r.body.id)).toEqual([fresh]);
  });

  it("lets no other device subscribe to a device's commands", async () => {
    const tenantId = uniqueTenant('mc');
    const owner = await register(tenantId, 'owner');
    const other = await register(tenantId, 'other');
    const spy = await online(version, other);
    const refused = version === 5 ? 0x87 : 0x80;
    const error = await spy.client
      .subscribeAsync(
        [`${owner.prefix}/commands/+`, `doppel/${tenantId}/+/commands/+`, `${owner.prefix}/#`],
        { qos: 1 },
      )
      .then(
        () => null,
        (e: { packet?: { granted: number[] } }) => e,
      );
    expect(error?.packet?.granted).toEqual([refused, refused, refused]);
    expect(spy.client.connected).toBe(true);
  });

  it('refuses an answer that is not in the documented form', async () => {
    const d = await register(uniqueTenant('mc'), 'garbled');
    const device = await online(version, d);
    const id = await send(d, { name: 'blink' });
    await device.next();
    const bad = device.client.publishAsync(
      `${d.prefix}/command-results`,
      JSON.stringify({ id, status: 'done' }),
      { qos: 1 },
    );
    if (version === 5) {
      // MQTT.js turns the negative PUBACK (0x99) into a rejected publish; the command still waits.
      await expect(bad).rejects.toThrow(/Payload format invalid/);
      expect((await commandOf(d, id, 'SENT')).status).toBe('SENT');
    } else {
      // 3.1.1 has no negative PUBACK: the connection ends, and the command goes back to waiting.
      const closed = new Promise<void>((resolve) => device.client.once('close', () => resolve()));
      bad.catch(() => undefined);
      await closed;
      await commandOf(d, id, 'PENDING');
    }
  });
});

describe('bulk commands', () => {
  it('reach MQTT devices of both protocol levels, with their answers', async () => {
    const g = new TwinGraph(stack);
    const levels = [4, 5] as const;
    const devices = await Promise.all(
      levels.map(async (version) => {
        const d = await register(g.tenantId, `m-${version}`, 'mq-1');
        return { d, version, device: await online(version, d) };
      }),
    );
    await g.ok(
      `mutation ($t: ID!, $c: JSONObject!) { startBulkCommand(tenantId: $t, config: $c) { workflowId } }`,
      {
        c: {
          id: 'reboot-mqtt',
          command: { name: 'reboot', params: { delayS: 5 } },
          target: { models: ['mq-1'] },
          canary: { devices: 1 },
          waves: { mode: 'constant', size: 10 },
          perDevice: { timeoutS: 30, retries: 0 },
          offline: 'skip',
        },
      },
    );
    // The canary is one of them; the other is commanded only once the canary succeeded.
    await Promise.all(
      devices.map(async ({ d, version, device }) => {
        const command = await device.next();
        expect(command.body).toMatchObject({ name: 'reboot', params: { delayS: 5 } });
        await answer(version, device.client, d, command, 'accepted', { level: version });
      }),
    );
    // The answers land in the operation's rows (the twins hear nothing of a bulk command).
    const done = await untilRollout(g, 'reboot-mqtt', (r) => r.status === 'COMPLETED');
    expect(done.devices.map((x: any) => [x.deviceId, x.status, x.result]).sort()).toEqual([
      ['m-4', 'SUCCEEDED', { level: 4 }],
      ['m-5', 'SUCCEEDED', { level: 5 }],
    ]);
  });
});
