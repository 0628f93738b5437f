import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestDevice } from './support/device-client';
import { registerDevice, startTestStack, uniqueTenant, type TestStack } from './support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ flapLimit: 3 });
});
afterAll(() => stack?.stop());

async function metric(name: string, labels: string): Promise<number> {
  const text = await (await fetch(stack.metricsUrl)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('gateway robustness', () => {
  it("serves its metrics on a listener of their own, not on the devices' port", async () => {
    const onDevicePort = await fetch(
      stack.gatewayUrl.replace('ws', 'http').replace('/device', '/metrics'),
    );
    expect(onDevicePort.status).toBe(404);
    expect(await onDevicePort.text()).not.toContain('doppel_gateway_');
    const own = await fetch(stack.metricsUrl);
    expect(own.status).toBe(200);
    expect(await own.text()).toContain('doppel_gateway_admissions_total');
  });

  it('counts every refused input by protocol and code at /metrics', async () => {
    const before = await metric('doppel_gateway_rejected_total', 'code="gateway:json.malformed"');
    const device = await TestDevice.connect(stack.gatewayUrl);
    device.send('{not json');
    expect(await device.closed()).toBe(4400);
    expect(await metric('doppel_gateway_rejected_total', 'code="gateway:json.malformed"')).toBe(
      before + 1,
    );
  });

  it('refuses a device that reconnects too often, then counts it', async () => {
    const tenantId = uniqueTenant();
    const token = await registerDevice(stack, tenantId, 'flappy');
    const outcomes: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      const device = await TestDevice.connect(stack.gatewayUrl);
      device.send({
        type: 'hello',
        seq: 1,
        tenant: tenantId,
        device: 'flappy',
        token: token,
      });
      const answer = await device.next((m) => m.type === 'welcome' || m.type === 'error');
      outcomes.push(answer.type === 'welcome' ? 'welcome' : answer.code);
      if (answer.type === 'welcome') device.close();
      else expect(await device.closed()).toBe(1013);
    }
    expect(outcomes).toEqual(['welcome', 'welcome', 'welcome', 'gateway:admission.flapping']);
    expect(
      await metric('doppel_gateway_admissions_total', 'outcome="flapping"'),
    ).toBeGreaterThanOrEqual(1);
  });
});
