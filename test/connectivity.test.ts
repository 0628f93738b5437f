import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startGatewayProcess } from './support/gateway-process';
import { eventually, graphql } from './support/graphql';
import {
  helloDevice,
  registerDevice,
  startTestStack,
  uniqueTenant,
  type TestStack,
} from './support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ idleTimeoutS: 8 });
});
afterAll(() => stack?.stop());

describe('connectivity reasons', () => {
  it('a device that stops answering pings goes offline with heartbeat-missed', async () => {
    const tenantId = uniqueTenant();
    const token = await registerDevice(stack, tenantId, 'mute');
    const device = await helloDevice(stack.gatewayUrl, { tenantId, deviceId: 'mute', token });
    // Stop reading: no pongs, no close frame — as a device that lost power or network.
    (device.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const offline = await eventually(async () => {
      const q = await graphql(
        stack.apiUrl,
        `
          query ($t: ID!) {
            device(tenantId: $t, deviceId: "mute") {
              connectivity {
                status
                reason
              }
            }
          }
        `,
        {
          t: tenantId,
        },
      );
      return q.data.device.connectivity.status === 'OFFLINE'
        ? q.data.device.connectivity
        : undefined;
    }, 30_000);
    expect(offline.reason).toBe('heartbeat-missed');
    device.ws.terminate();
  }, 40_000);

  it('devices of a gateway that dies without a word go offline with gateway-lost', async () => {
    const tenantId = uniqueTenant();
    const token = await registerDevice(stack, tenantId, 'orphan');
    const gateway = await startGatewayProcess(
      { temporalAddress: inject('temporalAddress'), databaseUrl: inject('databaseUrl') },
      `doomed-${tenantId}`,
    );
    try {
      await helloDevice(gateway.url, { tenantId, deviceId: 'orphan', token });
      await eventually(async () =>
        (await connectivity(tenantId, 'orphan')).status === 'ONLINE' ? true : undefined,
      );
    } finally {
      await gateway.crash(); // no close frames, no disconnects
    }
    const offline = await eventually(async () => {
      const c = await connectivity(tenantId, 'orphan');
      return c.status === 'OFFLINE' ? c : undefined;
    }, 30_000);
    expect(offline.reason).toBe('gateway-lost');
  }, 60_000);
});

async function connectivity(tenantId: string, deviceId: string) {
  const q = await graphql(
    stack.apiUrl,
    `
      query ($t: ID!, $d: ID!) {
        device(tenantId: $t, deviceId: $d) {
          connectivity {
            status
            reason
          }
        }
      }
    `,
    {
      t: tenantId,
      d: deviceId,
    },
  );
  return q.data.device.connectivity as { status: string; reason: string | null };
}
