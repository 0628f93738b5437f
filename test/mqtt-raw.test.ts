import { generate, parser, type IConnectPacket, type Packet } from 'mqtt-packet';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, graphql } from './support/graphql';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

/**
 * MQTT over WebSocket byte by byte: hand-made frames for every rule of the spec the gateway
 * must enforce, each checked for the answer (MQTT 5 reason codes) and the connection's state.
 */

let stack: TestStack;
let url: string;
beforeAll(async () => {
  // Flapping is tested with a low limit; no other test connects one device more than twice.
  stack = await startTestStack({ helloTimeoutMs: 1_500, flapLimit: 3 });
  url = stack.gatewayUrl.replace(/\/device$/, '/mqtt');
});
afterAll(() => stack?.stop());

/** A device that speaks MQTT packets (or raw bytes) over a plain WebSocket. */
class RawMqtt {
  readonly packets: Packet[] = [];
  closeCode: number | null = null;

  private constructor(
    readonly ws: WebSocket,
    readonly version: 4 | 5,
  ) {
    const stream = parser({ protocolVersion: version });
    stream.on('packet', (p: Packet) => this.packets.push(p));
    ws.on('message', (data: Buffer) => stream.parse(data));
    ws.on('close', (code) => (this.closeCode = code));
  }

  static async open(version: 4 | 5): Promise<RawMqtt> {
    const ws = new WebSocket(url, ['mqtt']);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return new RawMqtt(ws, version);
  }

  send(...packets: Packet[]): void {
    this.bytes(Buffer.concat(packets.map((p) => generate(p, { protocolVersion: this.version }))));
  }

  bytes(bytes: Buffer): void {
    this.ws.send(bytes, { binary: true });
  }

  next<T extends Packet['cmd']>(cmd: T, where: (p: Packet) => boolean = () => true) {
    return until(() => this.packets.find((p) => p.cmd === cmd && where(p))) as Promise<
      Extract<Packet, { cmd: T }>
    >;
  }

  closed(): Promise<number> {
    return until(() => this.closeCode ?? undefined);
  }

  /** Still open and answering: a PINGREQ gets its PINGRESP. */
  async alive(): Promise<boolean> {
    const before = this.packets.filter((p) => p.cmd === 'pingresp').length;
    this.send({ cmd: 'pingreq' });
    await until(() =>
      this.packets.filter((p) => p.cmd === 'pingresp').length > before ? true : undefined,
    );
    return this.closeCode === null;
  }
}

async function until<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const REGISTER = `mutation ($input: RegisterDeviceInput!) { registerDevice(input: $input) { token } }`;
const DEVICE = `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) { reported connectivity { status reason } } }`;
const DESIRE = `mutation ($i: UpdateDesiredInput!) { updateDesired(input: $i) { shadowVersion } }`;
const TRANSITION = `mutation ($i: TransitionDeviceInput!) { transitionDevice(input: $i) { version } }`;

interface Device {
  tenantId: string;
  deviceId: string;
  token: string;
  report: string;
}

async function newDevice(): Promise<Device> {
  const tenantId = uniqueTenant('raw');
  const deviceId = 'dev-1';
  const res = await graphql(stack.apiUrl, REGISTER, { input: { tenantId, deviceId } });
  expect(res.errors).toBeUndefined();
  const token = res.data.registerDevice.token as string;
  return { tenantId, deviceId, token, report: `doppel/${tenantId}/${deviceId}/report` };
}

const connectPacket = (d: Device, version: 4 | 5, extra: Partial<IConnectPacket> = {}) =>
  ({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: version,
    clean: true,
    keepalive: 60,
    clientId: `${d.tenantId}/${d.deviceId}`,
    username: `${d.tenantId}/${d.deviceId}`,
    password: Buffer.from(d.token),
    ...extra,
  }) as IConnectPacket;

/** A registered device, connected and admitted. */
async function online(version: 4 | 5, extra: Partial<IConnectPacket> = {}) {
  const device = await newDevice();
  const mqtt = await RawMqtt.open(version);
  mqtt.send(connectPacket(device, version, extra));
  const connack = await mqtt.next('connack');
  expect(connack.reasonCode ?? connack.returnCode).toBe(0);
  return { device, mqtt, connack };
}

async function connectivityOf(d: Device) {
  const res = await graphql(stack.apiUrl, DEVICE, { t: d.tenantId, d: d.deviceId });
  return res.data?.device as { reported: any; connectivity: { status: string; reason: string } };
}

const offlineReason = (d: Device) =>
  eventually(async () => {
    const c = (await connectivityOf(d))?.connectivity;
    return c?.status === 'OFFLINE' ? c.reason : undefined;
  });

const publish = (topic: string, body: unknown, id?: number, more: object = {}): Packet => ({
  cmd: 'publish',
  topic,
  payload: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  qos: id ? 1 : 0,
  messageId: id,
  dup: false,
  retain: false,
  ...more,
});

/** A PUBLISH at QoS 0 with `topic` written as raw bytes, so the client library cannot object. */
function rawPublish(topic: Buffer, payload = Buffer.from('{}'), version: 4 | 5 = 4): Buffer {
  const props = version === 5 ? Buffer.from([0]) : Buffer.alloc(0);
  const body = Buffer.concat([Buffer.from([0, topic.length]), topic, props, payload]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** MQTT 5 reason code of the DISCONNECT that preceded the close; 3.1.1 is just closed. */
async function endedWith(mqtt: RawMqtt): Promise<number | null> {
  await mqtt.closed();
  const disconnect = mqtt.packets.find((p) => p.cmd === 'disconnect');
  return disconnect ? (disconnect.reasonCode ?? 0) : null;
}

describe('MQTT over WebSocket: handshake and framing', () => {
  it('negotiates the mqtt subprotocol and refuses a handshake without it', async () => {
    const ok = await RawMqtt.open(4);
    expect(ok.ws.protocol).toBe('mqtt');
    ok.ws.close();
    const refused = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(url, ['graphql-ws']);
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => reject(new Error('upgraded without the mqtt subprotocol')));
    });
    expect(refused).toBe(400);
  });

  it('reassembles a packet split over frames and splits a frame holding several packets', async () => {
    const device = await newDevice();
    const mqtt = await RawMqtt.open(5);
    const connect = generate(connectPacket(device, 5), { protocolVersion: 5 });
    for (let i = 0; i < connect.length; i += 7) mqtt.bytes(connect.subarray(i, i + 7));
    expect((await mqtt.next('connack')).reasonCode).toBe(0);

    mqtt.send(publish(device.report, { a: 1 }, 1), publish(device.report, { b: 2 }, 2));
    await mqtt.next('puback', (p) => p.messageId === 2);
    const acks = mqtt.packets.filter((p) => p.cmd === 'puback');
    expect(acks.map((p) => [p.messageId, p.reasonCode])).toEqual([
      [1, 0],
      [2, 0],
    ]);
    const state = await eventually(async () => {
      const d = await connectivityOf(device);
      return d?.reported?.b === 2 ? d.reported : undefined;
    });
    expect(state).toEqual({ a: 1, b: 2 });
  });

  it.each([4, 5] as const)('closes on a text frame, and counts it (level %i)', async (version) => {
    const counted = async () => {
      const text = await (await fetch(stack.metricsUrl)).text();
      const line = text.split('\n').find((l) => l.includes('code="gateway:mqtt.text-frame"'));
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    const before = await counted();
    const { mqtt } = await online(version);
    mqtt.ws.send('{"cmd":"pingreq"}');
    expect(await mqtt.closed()).toBe(1003);
    expect(mqtt.packets.map((p) => p.cmd)).toEqual(['connack']);
    expect(await counted()).toBe(before + 1);
  });

  it('takes packets sent right behind CONNECT, in the same frame, once the device is admitted', async () => {
    const device = await newDevice();
    const mqtt = await RawMqtt.open(4);
    mqtt.send(
      connectPacket(device, 4),
      publish(device.report, { early: 1 }, 1),
      publish(device.report, { early: 2 }), // QoS 0: applied, never acknowledged
      { cmd: 'pingreq' },
    );
    await mqtt.next('puback', (p) => p.messageId === 1);
    // CONNACK first; the PUBACK waits for the twin, the PINGRESP does not.
    expect(mqtt.packets.map((p) => p.cmd)).toEqual(['connack', 'pingresp', 'puback']);
    const state = await eventually(async () => {
      const d = await connectivityOf(device);
      return d?.reported?.early === 2 ? d.reported : undefined;
    });
    expect(state).toEqual({ early: 2 });
  });

  it('closes a connection that sends no CONNECT within the hello timeout', async () => {
    const mqtt = await RawMqtt.open(4);
    const since = Date.now();
    await mqtt.closed();
    expect(Date.now() - since).toBeGreaterThanOrEqual(1_400);
    expect(mqtt.packets).toEqual([]);
  });

  it('closes a connection whose first packet is not CONNECT, without an answer', async () => {
    const mqtt = await RawMqtt.open(4);
    mqtt.send({ cmd: 'pingreq' });
    await mqtt.closed();
    expect(mqtt.packets).toEqual([]);
  });
});

describe.each([4, 5] as const)('MQTT level %i: bad input closes the connection', (version) => {
  const closing = (code: number) => (version === 5 ? code : null);

  it('a second CONNECT', async () => {
    const { mqtt, device } = await online(version);
    mqtt.send(connectPacket(device, version));
    expect(await endedWith(mqtt)).toBe(closing(0x82));
    expect(mqtt.packets.filter((p) => p.cmd === 'connack')).toHaveLength(1);
  });

  it('QoS 3', async () => {
    const { mqtt } = await online(version);
    const bytes = rawPublish(Buffer.from('a/b'), Buffer.from('{}'), version);
    bytes[0] = 0x36; // PUBLISH with both QoS bits set
    mqtt.bytes(bytes);
    expect(await endedWith(mqtt)).toBe(closing(0x81));
  });

  it('a wildcard in a PUBLISH topic', async () => {
    const { mqtt, device } = await online(version);
    mqtt.bytes(rawPublish(Buffer.from(`doppel/${device.tenantId}/+/report`), undefined, version));
    expect(await endedWith(mqtt)).toBe(closing(0x81));
  });

  it('U+0000 in a topic', async () => {
    const { mqtt, device } = await online(version);
    mqtt.bytes(rawPublish(Buffer.from(`${device.report}\u0000x`), undefined, version));
    expect(await endedWith(mqtt)).toBe(closing(0x81));
  });

  it('a remaining length longer than four bytes', async () => {
    const { mqtt } = await online(version);
    mqtt.bytes(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expect(await endedWith(mqtt)).toBe(closing(0x81));
  });

  it('a refused topic or a payload that is not a JSON object (MQTT 5: PUBACK and stay)', async () => {
    const { mqtt, device } = await online(version);
    mqtt.send(publish(`doppel/${device.tenantId}/other/report`, { a: 1 }, 3));
    if (version === 4) return expect(await mqtt.closed()).toBe(1008);
    expect((await mqtt.next('puback', (p) => p.messageId === 3)).reasonCode).toBe(0x87);
    for (const [id, body] of [
      [4, 'not json'],
      [5, '[1,2]'],
    ] as const) {
      mqtt.send(publish(device.report, body, id));
      expect((await mqtt.next('puback', (p) => p.messageId === id)).reasonCode).toBe(0x99);
    }
    expect(await mqtt.alive()).toBe(true);
  });
});

describe.each([4, 5] as const)('MQTT level %i: sessions', (version) => {
  it('refuses bad credentials with "not authorized" and closes', async () => {
    const device = await newDevice();
    const mqtt = await RawMqtt.open(version);
    mqtt.send(connectPacket(device, version, { password: Buffer.from('dpl_wrong') }));
    const connack = await mqtt.next('connack');
    expect(version === 5 ? connack.reasonCode : connack.returnCode).toBe(version === 5 ? 0x87 : 5);
    await mqtt.closed();
  });

  it('refuses MQTT 3.1 and, on 3.1.1, an empty client id without a clean session', async () => {
    const device = await newDevice();
    const old = await RawMqtt.open(4);
    old.send(connectPacket(device, 4, { protocolId: 'MQIsdp', protocolVersion: 3 }));
    expect((await old.next('connack')).returnCode).toBe(1);
    await old.closed();

    const mqtt = await RawMqtt.open(version);
    // mqtt-packet will not write this CONNECT, so its clean-session bit is cleared by hand.
    const bytes = generate(connectPacket(device, version, { clientId: '' }), {
      protocolVersion: version,
    });
    let at = 1;
    while (bytes[at]! & 0x80) at++; // past the remaining length
    bytes[at + 1 + 6 + 1]! &= ~0x02; // connect flags follow the protocol name and level
    mqtt.bytes(bytes);
    const connack = await mqtt.next('connack');
    // MQTT 5 assigns an id whatever the session flag; 3.1.1 may not (spec 3.1.3-8).
    if (version === 5) {
      expect(connack.reasonCode).toBe(0);
      expect(connack.properties?.assignedClientIdentifier).toBe(
        `${device.tenantId}/${device.deviceId}`,
      );
      expect(await mqtt.alive()).toBe(true);
    } else {
      expect(connack.returnCode).toBe(2);
      await mqtt.closed();
    }
  });

  it('answers UNSUBSCRIBE and holds desired deltas back until the device subscribes again', async () => {
    const { mqtt, device } = await online(version);
    const desired = `doppel/${device.tenantId}/${device.deviceId}/desired`;
    mqtt.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: desired, qos: 1 }] });
    expect((await mqtt.next('suback')).granted).toEqual([1]);
    mqtt.send({ cmd: 'unsubscribe', messageId: 2, unsubscriptions: [desired, 'other/topic'] });
    const unsuback = await mqtt.next('unsuback');
    expect(unsuback.messageId).toBe(2);
    if (version === 5) expect(unsuback.granted).toEqual([0x00, 0x11]);

    for (const patch of [{ mode: 'eco' }, { mode: 'boost' }]) {
      const res = await graphql(stack.apiUrl, DESIRE, {
        i: { tenantId: device.tenantId, deviceId: device.deviceId, patch },
      });
      expect(res.errors).toBeUndefined();
    }
    await new Promise((r) => setTimeout(r, 500)); // the twin pushes; the gateway must hold it
    expect(mqtt.packets.some((p) => p.cmd === 'publish')).toBe(false);

    mqtt.send({ cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: desired, qos: 1 }] });
    const delta = await mqtt.next('publish');
    expect(delta).toMatchObject({ topic: desired, qos: 1 });
    expect(JSON.parse(delta.payload.toString()).state).toEqual({ mode: 'boost' });
    mqtt.send({ cmd: 'puback', messageId: delta.messageId });
    expect(await mqtt.alive()).toBe(true);
    expect(mqtt.packets.filter((p) => p.cmd === 'publish')).toHaveLength(1);
  });

  it('refuses a device that reconnects too often (connection rate exceeded)', async () => {
    const device = await newDevice();
    const answers: number[] = [];
    for (let i = 0; i < 4; i++) {
      const mqtt = await RawMqtt.open(version);
      mqtt.send(connectPacket(device, version));
      const connack = await mqtt.next('connack');
      answers.push((version === 5 ? connack.reasonCode : connack.returnCode) ?? -1);
      mqtt.ws.close();
      await mqtt.closed();
    }
    expect(answers).toEqual([0, 0, 0, version === 5 ? 0x9f : 3]);
  });

  it('applies a QoS 1 duplicate once, in flight or already acknowledged', async () => {
    const { mqtt, device } = await online(version);
    const dup = { dup: true };
    mqtt.send(publish(device.report, { v: 1 }, 7), publish(device.report, { v: 2 }, 7, dup));
    await mqtt.next('puback', (p) => p.messageId === 7);
    mqtt.send(publish(device.report, { v: 3 }, 7, dup));
    await until(() =>
      mqtt.packets.filter((p) => p.cmd === 'puback').length === 2 ? 1 : undefined,
    );
    mqtt.send(publish(device.report, { seen: true }, 8));
    await mqtt.next('puback', (p) => p.messageId === 8);
    const reported = await eventually(async () => {
      const d = await connectivityOf(device);
      return d?.reported?.seen ? d.reported : undefined;
    });
    expect(reported).toEqual({ v: 1, seen: true });
    expect(mqtt.packets.filter((p) => p.cmd === 'puback').map((p) => p.messageId)).toEqual([
      7, 7, 8,
    ]);
  });

  it('answers PINGREQ and closes after 1.5 × keep-alive of silence (heartbeat missed)', async () => {
    const { mqtt, device } = await online(version, { keepalive: 1 });
    expect(await mqtt.alive()).toBe(true);
    const quietSince = Date.now();
    expect(await endedWith(mqtt)).toBe(version === 5 ? 0x8d : null);
    expect(Date.now() - quietSince).toBeGreaterThanOrEqual(1_400);
    expect(await offlineReason(device)).toBe('heartbeat-missed');
  });

  it('counts a DISCONNECT as an orderly end even with a will', async () => {
    const will = {
      topic: 'last/words',
      payload: Buffer.from('bye'),
      qos: 0,
      retain: false,
    } as const;
    const { mqtt, device } = await online(version, { will });
    mqtt.send({ cmd: 'disconnect' });
    await mqtt.closed();
    expect(await offlineReason(device)).toBe('disconnected');
  });
});

describe('MQTT 5 limits and reasons', () => {
  it('announces its limits in CONNACK', async () => {
    const { connack } = await online(5);
    expect(connack.properties).toMatchObject({
      receiveMaximum: 32,
      topicAliasMaximum: 16,
      maximumPacketSize: 64 * 1024,
      maximumQoS: 1,
      retainAvailable: false,
      wildcardSubscriptionAvailable: false,
    });
  });

  it('resolves topic aliases and refuses alias 0 or above the maximum with 0x94', async () => {
    const { mqtt, device } = await online(5);
    mqtt.send(publish(device.report, { a: 1 }, 1, { properties: { topicAlias: 3 } }));
    mqtt.send(publish('', { a: 2 }, 2, { properties: { topicAlias: 3 } }));
    expect((await mqtt.next('puback', (p) => p.messageId === 2)).reasonCode).toBe(0);
    const reported = await eventually(async () => {
      const d = await connectivityOf(device);
      return d?.reported?.a === 2 ? d.reported : undefined;
    });
    expect(reported).toEqual({ a: 2 });
    mqtt.send(publish(device.report, { a: 3 }, 3, { properties: { topicAlias: 0 } }));
    expect(await endedWith(mqtt)).toBe(0x94);

    const second = (await online(5)).mqtt;
    second.send(publish('any/topic', { a: 1 }, 1, { properties: { topicAlias: 17 } }));
    expect(await endedWith(second)).toBe(0x94);
  });

  it('closes with 0x93 when more QoS 1 publishes are in flight than its Receive Maximum', async () => {
    const { mqtt, device } = await online(5);
    const burst = Array.from({ length: 33 }, (_, i) => publish(device.report, { i }, i + 1));
    mqtt.send(...burst); // one frame: none can be acknowledged before the 33rd arrives
    expect(await endedWith(mqtt)).toBe(0x93);
  });

  it('closes with 0x95 on a packet above its Maximum Packet Size, even split over frames', async () => {
    const { mqtt, device } = await online(5);
    const big = generate(publish(device.report, { blob: 'x'.repeat(70_000) }, 1), {
      protocolVersion: 5,
    });
    mqtt.bytes(big.subarray(0, 35_000));
    mqtt.bytes(big.subarray(35_000));
    expect(await endedWith(mqtt)).toBe(0x95);
  });

  it('refuses QoS 2 (0x9B) and retained messages (0x9A)', async () => {
    const { mqtt, device } = await online(5);
    mqtt.send(publish(device.report, { a: 1 }, 1, { qos: 2 }));
    expect(await endedWith(mqtt)).toBe(0x9b);
    const second = (await online(5)).mqtt;
    second.send(publish(device.report, { a: 1 }, 1, { retain: true }));
    expect(await endedWith(second)).toBe(0x9a);
  });

  it('takes DISCONNECT 0x04 "with will message" as a failure: offline with reason "will"', async () => {
    const will = {
      topic: 'last/words',
      payload: Buffer.from('bye'),
      qos: 0,
      retain: false,
    } as const;
    const { mqtt, device } = await online(5, { will });
    mqtt.send({ cmd: 'disconnect', reasonCode: 0x04 });
    await mqtt.closed();
    expect(await offlineReason(device)).toBe('will');
  });

  it('tells a retired device why its twin closes the connection', async () => {
    const { mqtt, device } = await online(5);
    const res = await graphql(stack.apiUrl, TRANSITION, {
      i: {
        tenantId: device.tenantId,
        deviceId: device.deviceId,
        to: 'RETIRED',
        reason: 'end of life',
      },
    });
    expect(res.errors).toBeUndefined();
    expect(await endedWith(mqtt)).toBe(0x98);
    expect(mqtt.closeCode).toBe(4403);
  });
});
