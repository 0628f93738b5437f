import net from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './support/graphql';
import { registerDevice, startTestStack, uniqueTenant, type TestStack } from './support/stack';

/**
 * Behind an L4 balancer (HAProxy `send-proxy-v2`, as `npm run start:cluster` runs it) the
 * device's address arrives in a PROXY protocol v2 header (gateway/source-address.ts). This
 * gateway trusts 127.0.0.1 only and locks a source address out past 3 failed logins; clients
 * connect from 127.0.0.1 (the trusted balancer) or from 127.0.0.3x (an untrusted peer).
 */
let stack: TestStack;
let port: number;
beforeAll(async () => {
  stack = await startTestStack({
    trustedProxies: ['127.0.0.1'],
    loginFailuresPerSource: 3,
    loginFailuresPerDevice: 1_000,
  });
  port = Number(new URL(stack.gatewayUrl).port);
});
afterAll(() => stack?.stop());

/** A PROXY protocol v2 header: a TCP/IPv4 connection from `origin` (RFC-style, HAProxy's spec). */
function proxyHeader(origin: string): Buffer {
  const signature = Buffer.from([
    0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
  ]);
  const addresses = Buffer.from([
    ...origin.split('.').map(Number),
    127,
    0,
    0,
    1,
    0xc3,
    0x50, // source port 50000
    0x1f,
    0x90, // destination port 8080
  ]);
  return Buffer.concat([signature, Buffer.from([0x21, 0x11, 0x00, 12]), addresses]);
}

/**
 * An OCPP upgrade from `peer`, carrying a PROXY header naming `origin` when given, as a
 * balancer's connection does; resolves with the HTTP status (101 when it opened).
 */
function upgrade(
  path: string,
  opts: { peer: string; origin?: string; headers?: Record<string, string> },
): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, 'ocpp1.6', {
      headers: opts.headers ?? {},
      createConnection: () => {
        const socket = net.connect({ host: '127.0.0.1', port, localAddress: opts.peer });
        if (opts.origin) socket.write(proxyHeader(opts.origin));
        return socket;
      },
    });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.on('error', () => {});
  });
}

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describe('the PROXY protocol from a trusted balancer', () => {
  it('keys login lock-outs on the address the balancer names, not on the balancer', async () => {
    const tenantId = uniqueTenant('proxy');
    const token = await registerDevice(stack, tenantId, 'cp-1');
    const path = `/ocpp/${tenantId}/cp-1`;
    for (let i = 0; i < 4; i++)
      expect(
        await upgrade(path, {
          peer: '127.0.0.1',
          origin: '10.1.1.1',
          headers: basic('cp-1', `dpl_wrong-${i}-0000000000`),
        }),
      ).toBe(401);
    // 10.1.1.1 is locked out; another device behind the same balancer is not.
    expect(
      await upgrade(path, { peer: '127.0.0.1', origin: '10.1.1.1', headers: basic('cp-1', token) }),
    ).toBe(429);
    expect(
      await upgrade(path, { peer: '127.0.0.1', origin: '10.1.1.2', headers: basic('cp-1', token) }),
    ).toBe(101);
  });

  it('ignores a PROXY header from a peer it does not trust', async () => {
    const tenantId = uniqueTenant('proxy');
    const token = await registerDevice(stack, tenantId, 'cp-2');
    const path = `/ocpp/${tenantId}/cp-2`;
    // Each failure claims another origin; all come from 127.0.0.31, which is what counts.
    for (let i = 0; i < 4; i++)
      expect(
        await upgrade(path, {
          peer: '127.0.0.31',
          origin: `10.2.2.${i + 1}`,
          headers: basic('cp-2', `dpl_wrong-${i}-0000000000`),
        }),
      ).toBe(401);
    expect(
      await upgrade(path, {
        peer: '127.0.0.31',
        origin: '10.2.2.9',
        headers: basic('cp-2', token),
      }),
    ).toBe(429);
  });

  it("believes a TLS terminator's certificate headers only when the hop that sent them is trusted", async () => {
    const tenantId = uniqueTenant('proxy');
    const res = await graphql(
      stack.apiUrl,
      `
        mutation ($i: RegisterDeviceInput!) {
          registerDevice(input: $i) {
            token
          }
        }
      `,
      { i: { tenantId, deviceId: 'CP-CERT', login: 'CERTIFICATE' } },
    );
    expect(res.errors).toBeUndefined();
    const path = `/ocpp/${tenantId}/CP-CERT`;
    const forged = { 'x-client-verify': 'SUCCESS', 'x-client-subject': `CN=CP-CERT,O=${tenantId}` };
    // A device behind the balancer alone wrote these headers itself.
    expect(await upgrade(path, { peer: '127.0.0.1', origin: '10.3.3.3', headers: forged })).toBe(
      401,
    );
    // The same headers from the TLS terminator (a trusted address) behind the balancer count.
    expect(await upgrade(path, { peer: '127.0.0.1', origin: '127.0.0.1', headers: forged })).toBe(
      101,
    );
  });
});
