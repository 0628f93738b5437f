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
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

describe('nothing acknowledged is lost', () => {
  it('every report acked before the gateway was killed with SIGKILL reaches the twin', async () => {
    const tenantId = uniqueTenant();
    const token = await registerDevice(stack, tenantId, 'survivor');
    const gateway = await startGatewayProcess(
      { temporalAddress: inject('temporalAddress'), databaseUrl: inject('databaseUrl') },
      `crash-${tenantId}`,
    );
    const device = await helloDevice(gateway.url, { tenantId, deviceId: 'survivor', token });

    // Keep reporting while the gateway dies: some reports are acked, the last ones are not.
    let seq = 2;
    const sender = setInterval(() => {
      for (let i = 0; i < 20 && device.closeCode === null; i++, seq++)
        device.send({ type: 'report', seq, state: { [`k${seq}`]: seq } });
    }, 5);
    await device.next((m) => m.type === 'ack' && (m.seq as number) >= 200, 30_000);
    await gateway.crash();
    clearInterval(sender);
    await device.closed();

    const acked = device.received.filter((m) => m.type === 'ack').map((m) => m.seq as number);
    expect(acked.length).toBeGreaterThanOrEqual(199);
    const reported = await eventually(async () => {
      const q = await graphql(
        stack.apiUrl,
        `
          query ($t: ID!) {
            device(tenantId: $t, deviceId: "survivor") {
              reported
            }
          }
        `,
        { t: tenantId },
      );
      const r = q.data.device.reported as Record<string, number>;
      return acked.every((s) => r[`k${s}`] === s) ? r : undefined;
    }, 30_000);
    for (const s of acked) expect(reported[`k${s}`]).toBe(s);
  }, 90_000);
});
