import mqtt from 'mqtt';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDevice, startTestStack, uniqueTenant, type TestStack } from './support/stack';

/**
 * Failed logins lock a device, and a source address, out for a while — for OCPP, native JSON
 * and MQTT alike (gateway/auth-failures.ts). This stack locks after 3 failures of a device and
 * 20 from an address, and decides at most 2 OCPP upgrades at once; each case connects from its
 * own 127.0.0.x address.
 */
let stack: TestStack;
let gateway: string;
beforeAll(async () => {
  stack = await startTestStack({
    loginFailuresPerDevice: 3,
    loginFailuresPerSource: 20,
    maxUpgradesInFlight: 2,
  });
  gateway = new URL(stack.gatewayUrl).host;
});
afterAll(() => stack?.stop());

type Upgrade = { status: number; retryAfter: string | undefined; ws: WebSocket | null };

/** Opens a WebSocket; resolves with the HTTP refusal, or the open socket (status 101). */
function upgrade(
  path: string,
  options: { from: string; protocol?: string; authorization?: string },
): Promise<Upgrade> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://${gateway}${path}`, options.protocol ?? [], {
      localAddress: options.from,
      headers: options.authorization ? { authorization: options.authorization } : {},
    });
    ws.on('open', () => resolve({ status: 101, retryAfter: undefined, ws }));
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], ws: null });
      res.resume();
    });
    ws.on('error', () => {});
  });
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Sends a native JSON hello; resolves with the first answer and the close code, if any. */
async function hello(from: string, tenant: string, device: string, token: string) {
  const { ws } = await upgrade('/device', { from });
  expect(ws).not.toBeNull();
  return new Promise<{ answer: Record<string, any>; code: number | null }>((resolve) => {
    let answer: Record<string, any> = {};
    ws!.on('message', (m) => {
      answer = JSON.parse(String(m));
      if (answer.type === 'welcome') resolve({ answer, code: null });
    });
    ws!.on('close', (code) => resolve({ answer, code }));
    ws!.send(JSON.stringify({ type: 'hello', seq: 1, tenant, device, token }));
  });
}

describe('failed logins', () => {
  it('lock an OCPP station out after 3 wrong passwords: 429 with Retry-After, even for the right one', async () => {
    const tenantId = uniqueTenant('lock');
    const token = await registerDevice(stack, tenantId, 'cp-lock');
    const from = '127.0.0.11';
    const path = `/ocpp/${tenantId}/cp-lock`;
    for (let i = 0; i < 3; i++) {
      const wrong = await upgrade(path, {
        from,
        protocol: 'ocpp1.6',
        authorization: basic('cp-lock', `dpl_wrong-${i}-0000000000`),
      });
      expect(wrong.status).toBe(401);
    }
    const fourth = await upgrade(path, {
      from,
      protocol: 'ocpp1.6',
      authorization: basic('cp-lock', 'dpl_wrong-3-0000000000'),
    });
    expect(fourth.status).toBe(401);
    const right = await upgrade(path, {
      from: '127.0.0.12', // another address: the device itself is locked
      protocol: 'ocpp1.6',
      authorization: basic('cp-lock', token),
    });
    expect(right.status).toBe(429);
    expect(Number(right.retryAfter)).toBeGreaterThan(0);
    // Another station of the same tenant is not affected.
    const other = await registerDevice(stack, tenantId, 'cp-free');
    const free = await upgrade(`/ocpp/${tenantId}/cp-free`, {
      from,
      protocol: 'ocpp1.6',
      authorization: basic('cp-free', other),
    });
    expect(free.status).toBe(101);
    free.ws!.close();
  });

  it('lock a native JSON device out after 3 wrong tokens: its hello is answered "locked", 1013', async () => {
    const tenantId = uniqueTenant('lock');
    const token = await registerDevice(stack, tenantId, 'meter-lock');
    for (let i = 0; i < 4; i++) {
      const wrong = await hello('127.0.0.13', tenantId, 'meter-lock', `dpl_wrong-${i}-0000000000`);
      expect(wrong.answer.code).toBe('gateway:auth.refused');
    }
    const right = await hello('127.0.0.14', tenantId, 'meter-lock', token);
    expect(right.answer.code).toBe('gateway:auth.locked');
    expect(right.code).toBe(1013);
  });

  it.each([4, 5] as const)(
    'lock an MQTT %i client out after 3 wrong passwords: CONNACK refused as over the rate',
    async (version) => {
      const tenantId = uniqueTenant('lock');
      const token = await registerDevice(stack, tenantId, 'sensor-lock');
      const attempt = (password: string, from: string) =>
        mqtt
          .connectAsync(`ws://${gateway}/mqtt`, {
            protocolVersion: version,
            reconnectPeriod: 0,
            connectTimeout: 10_000,
            clientId: `${tenantId}/sensor-lock`,
            username: `${tenantId}/sensor-lock`,
            password,
            wsOptions: { localAddress: from },
          })
          .then(
            async (client) => (await client.endAsync(), 'connected'),
            (error: { code?: number }) => error.code,
          );
      for (let i = 0; i < 4; i++)
        expect(await attempt(`dpl_wrong-${i}-000000000`, '127.0.0.15')).toBe(
          version === 5 ? 0x87 : 5, // not authorized
        );
      expect(await attempt(token, '127.0.0.16')).toBe(version === 5 ? 0x9f : 3); // rate exceeded / unavailable
    },
  );

  it('lock a source address out across devices and protocols: 429 before the upgrade', async () => {
    const from = '127.0.0.17';
    const tenantId = uniqueTenant('lock');
    // 21 stations that do not exist, from one address
    for (let i = 0; i < 21; i++) {
      const probe = await upgrade(`/ocpp/${tenantId}/ghost-${i}`, {
        from,
        protocol: 'ocpp1.6',
        authorization: basic(`ghost-${i}`, 'x'),
      });
      expect(probe.status).toBe(404);
    }
    for (const path of ['/device', '/mqtt', `/ocpp/${tenantId}/ghost-99`]) {
      const refused = await upgrade(path, {
        from,
        protocol: path === '/mqtt' ? 'mqtt' : 'ocpp1.6',
      });
      expect(refused.status).toBe(429);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    }
    // Another address is not held back.
    const other = await upgrade('/device', { from: '127.0.0.18' });
    expect(other.status).toBe(101);
    other.ws!.close();
  });

  it('are not the only bound: OCPP upgrades past those in flight are answered 503, Retry-After 1', async () => {
    const tenantId = uniqueTenant('burst');
    const token = await registerDevice(stack, tenantId, 'cp-burst');
    const all = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        upgrade(`/ocpp/${tenantId}/cp-burst`, {
          from: `127.0.1.${i + 1}`,
          protocol: 'ocpp1.6',
          authorization: basic('cp-burst', token),
        }),
      ),
    );
    for (const u of all) u.ws?.terminate();
    const statuses = all.map((u) => u.status);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 101).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 503 && s !== 101)).toEqual([]);
    expect(all.find((u) => u.status === 503)?.retryAfter).toBe('1');
  });
});
