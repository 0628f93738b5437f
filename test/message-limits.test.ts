import { generate, parser, type Packet } from 'mqtt-packet';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OVERSIZE_FACTOR } from '../gateway/message-limits';
import { registerDevice, startTestStack, uniqueTenant, type TestStack } from './support/stack';

/**
 * What every device endpoint does with a message over its size limit, a text frame that is not
 * UTF-8 and (OCPP) input it refuses: a close code where one can be sent, and a count by
 * protocol and code in doppel_gateway_rejected_total — with raw WebSocket frames, as a broken
 * or hostile device sends them.
 */

let stack: TestStack;
const LIMIT = 64 * 1024;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

async function rejected(protocol: string, code: string): Promise<number> {
  const text = await (await fetch(stack.metricsUrl)).text();
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('doppel_gateway_rejected_total{') &&
        l.includes(`protocol="${protocol}"`) &&
        l.includes(`code="${code}"`),
    );
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** A WebSocket as a device opens it, with everything it hears and how it ended. */
async function open(url: string, protocols: string[] = [], headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, protocols, { headers });
  const heard: Buffer[] = [];
  ws.on('message', (data: Buffer) => heard.push(data));
  const ended = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { ws, heard, ended };
}

/** A text frame whose bytes are not UTF-8 (`ws` sends a Buffer as it is). */
const NOT_UTF8 = Buffer.from([0x5b, 0x32, 0x2c, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x5d]);

async function counted(protocol: string, code: string, act: () => Promise<void>) {
  const before = await rejected(protocol, code);
  await act();
  await expect.poll(() => rejected(protocol, code)).toBe(before + 1);
}

describe('the native JSON endpoint', () => {
  it('answers a message over the limit with gateway:message.too-large and 1009, and counts it', async () => {
    await counted('json', 'gateway:message.too-large', async () => {
      const device = await open(stack.gatewayUrl);
      device.ws.send(JSON.stringify({ type: 'hello', pad: 'x'.repeat(LIMIT + 2_000) }));
      expect(await device.ended).toEqual({ code: 1009, reason: 'gateway:message.too-large' });
      expect(JSON.parse(device.heard[0]!.toString())).toMatchObject({
        type: 'error',
        code: 'gateway:message.too-large',
        message: `messages are at most ${LIMIT} bytes`,
      });
    });
  });

  it('counts a 2 MiB message and a text frame that is not UTF-8, which the server cuts', async () => {
    await counted('json', 'gateway:message.too-large', async () => {
      const device = await open(stack.gatewayUrl);
      device.ws.send('x'.repeat(2 * 1024 * 1024));
      // Over OVERSIZE_FACTOR × the limit uWS does not read the message to answer it.
      expect(2 * 1024 * 1024).toBeGreaterThan(OVERSIZE_FACTOR * LIMIT);
      expect((await device.ended).code).toBe(1006);
    });
    await counted('json', 'gateway:message.invalid-utf8', async () => {
      const device = await open(stack.gatewayUrl);
      device.ws.send(NOT_UTF8, { binary: false });
      expect((await device.ended).code).toBe(1006);
    });
  });
});

describe('the OCPP endpoint', () => {
  async function station() {
    const tenantId = uniqueTenant('limits');
    const identity = 'cp-limits';
    const token = await registerDevice(stack, tenantId, identity);
    const auth = `Basic ${Buffer.from(`${identity}:${token}`).toString('base64')}`;
    const url = `${stack.ocppUrl}/${tenantId}/${identity}`;
    return { url, auth, open: () => open(url, ['ocpp1.6'], { authorization: auth }) };
  }
  const frames = (heard: Buffer[]) => heard.map((b) => JSON.parse(b.toString()) as unknown[]);

  it('closes with 1009 on a 66 KB frame and counts it', async () => {
    const cp = await station();
    await counted('ocpp', 'gateway:message.too-large', async () => {
      const s = await cp.open();
      s.ws.send(
        JSON.stringify([2, '1', 'DataTransfer', { vendorId: 'x', data: 'y'.repeat(66_000) }]),
      );
      expect(await s.ended).toEqual({ code: 1009, reason: `messages are at most ${LIMIT} bytes` });
    });
    await counted('ocpp', 'gateway:message.invalid-utf8', async () => {
      const s = await cp.open();
      s.ws.send(NOT_UTF8, { binary: false });
      expect((await s.ended).code).toBe(1006);
    });
  });

  it('answers an unknown action with a fixed description, never the input, and counts every CALLERROR', async () => {
    const cp = await station();
    const s = await cp.open();
    const action = 'Evil<script>\u0007Action';
    await counted('ocpp', 'ocpp:NotImplemented', async () => {
      s.ws.send(JSON.stringify([2, 'u1', action, {}]));
      await expect.poll(() => s.heard.length).toBe(1);
    });
    const [answer] = frames(s.heard);
    expect(answer!.slice(0, 3)).toEqual([4, 'u1', 'NotImplemented']);
    expect(answer![3]).toBe('the action is not one of ocpp1.6');
    expect(JSON.stringify(answer)).not.toContain('Evil');
    await counted('ocpp', 'ocpp:RpcFrameworkError', async () => {
      s.ws.send('[2, "u2", not json');
      await expect.poll(() => s.heard.length).toBe(2);
    });
    // 1.6 spells it FormationViolation; the metric keeps one name per code.
    expect(frames(s.heard)[1]!.slice(0, 3)).toEqual([4, '-1', 'FormationViolation']);
    s.ws.close();
  });

  it('counts refused handshakes: an unknown station and a wrong password', async () => {
    const cp = await station();
    const status = (url: string, authorization: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url, ['ocpp1.6'], { headers: { authorization } });
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('open', () => resolve(101));
      });
    await counted('ocpp', 'gateway:ocpp.unknown-station', async () => {
      expect(await status(cp.url.replace('cp-limits', 'cp-nobody'), cp.auth)).toBe(404);
    });
    await counted('ocpp', 'gateway:auth.refused', async () => {
      const wrong = `Basic ${Buffer.from('cp-limits:not-the-password').toString('base64')}`;
      expect(await status(cp.url, wrong)).toBe(401);
    });
  });
});

describe('the MQTT endpoint', () => {
  async function online(version: 4 | 5) {
    const tenantId = uniqueTenant('limits');
    const token = await registerDevice(stack, tenantId, 'dev-1');
    const c = await open(stack.gatewayUrl.replace(/\/device$/, '/mqtt'), ['mqtt']);
    const packets: Packet[] = [];
    const stream = parser({ protocolVersion: version });
    stream.on('packet', (p: Packet) => packets.push(p));
    c.ws.on('message', (data: Buffer) => stream.parse(data));
    const send = (p: Packet) => c.ws.send(generate(p, { protocolVersion: version }));
    send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: version,
      clean: true,
      keepalive: 60,
      clientId: `${tenantId}/dev-1`,
      username: `${tenantId}/dev-1`,
      password: Buffer.from(token),
    });
    await expect.poll(() => packets.some((p) => p.cmd === 'connack')).toBe(true);
    return { ...c, packets, send, report: `doppel/${tenantId}/dev-1/report` };
  }
  const big = (topic: string): Packet => ({
    cmd: 'publish',
    topic,
    payload: Buffer.from('x'.repeat(LIMIT + 5_000)),
    qos: 1,
    messageId: 1,
    retain: false,
    dup: false,
  });

  for (const version of [4, 5] as const) {
    it(`MQTT ${version === 5 ? '5 sends DISCONNECT 0x95, then' : '3.1.1'} closes on a packet over the limit in one frame, and counts it`, async () => {
      await counted('mqtt', 'gateway:mqtt.packet-too-large', async () => {
        const m = await online(version);
        m.send(big(m.report));
        await m.ended;
        const disconnect = m.packets.find((p) => p.cmd === 'disconnect');
        if (version === 5) expect(disconnect?.reasonCode).toBe(0x95);
        else expect(disconnect).toBeUndefined();
      });
    });
  }

  it('counts a frame uWS cuts: a text frame that is not UTF-8', async () => {
    await counted('mqtt', 'gateway:message.invalid-utf8', async () => {
      const m = await open(stack.gatewayUrl.replace(/\/device$/, '/mqtt'), ['mqtt']);
      m.ws.send(NOT_UTF8, { binary: false });
      expect((await m.ended).code).toBe(1006);
    });
  });
});
