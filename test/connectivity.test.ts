import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestDevice } from './support/device-client';
import { eventually, graphql } from './support/graphql';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ idleTimeoutS: 8 });
});
afterAll(() => stack?.stop());

describe('connectivity reasons', () => {
  it('a device that stops answering pings goes offline with heartbeat-missed', async () => {
    const tenantId = uniqueTenant();
    const reg = await graphql(
      stack.apiUrl,
      `
        mutation ($i: RegisterDeviceInput!) {
          registerDevice(input: $i) {
            token
          }
        }
      `,
      {
        i: { tenantId, deviceId: 'mute' },
      },
    );
    const device = await TestDevice.connect(stack.gatewayUrl);
    device.send({
      type: 'hello',
      seq: 1,
      tenant: tenantId,
      device: 'mute',
      token: reg.data.registerDevice.token,
    });
    await device.next((m) => m.type === 'welcome');
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
});
