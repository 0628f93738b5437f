import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetWorkflowId } from '../twins/ids';
import { assetStateQuery, deviceStatusSignal } from '../workflows/asset-twin/messages';
import { eventually } from './support/graphql';
import { startTestStack, type TestStack } from './support/stack';
import { TwinGraph } from './support/twin-graph';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const ASSET = `query ($t: ID!, $a: ID!) { asset(tenantId: $t, assetId: $a) { health version
  bindingHistory { deviceId to } } }`;

describe('the asset twin workflow on a real Temporal server', () => {
  it('continues as new under a burst of device statuses, keeping the newest and the binding', async () => {
    const g = new TwinGraph(stack);
    await g.customer('c1');
    await g.site('s1', 'c1');
    await g.asset('burst', 's1');
    await g.register('d1');
    expect((await g.bind('burst', 'd1')).errors).toBeUndefined();
    const handle = stack.temporal.workflow.getHandle(
      assetWorkflowId({ tenantId: g.tenantId, assetId: 'burst' }),
    );
    const firstRun = (await handle.describe()).runId;
    // As a device twin would send them, newest last; a few arrive twice or out of order.
    const N = 300;
    for (let i = 1; i <= N; i++) {
      const status = (v: number) => ({
        deviceId: 'd1',
        lifecycle: 'active' as const,
        connectivity: v % 2 ? ('offline' as const) : ('online' as const),
        version: 1_000 + v,
        at: new Date().toISOString(),
      });
      await handle.signal(deviceStatusSignal, status(i));
      if (i % 50 === 0) await handle.signal(deviceStatusSignal, status(i - 1));
    }
    const state = await eventually(async () => {
      const s = await handle.query(assetStateQuery);
      return s.deviceStatus.d1?.version === 1_000 + N ? s : undefined;
    }, 60_000);
    expect(state).toMatchObject({
      device: { deviceId: 'd1' },
      health: 'ok',
      deviceStatus: { d1: { connectivity: 'online' } },
    });
    expect((await handle.describe()).runId).not.toBe(firstRun);
    const projected = (await g.ok(ASSET, { a: 'burst' })).asset;
    expect(projected).toMatchObject({ health: 'OK', version: state.version });
    expect(projected.bindingHistory).toMatchObject([{ deviceId: 'd1', to: null }]);
  }, 120_000);
});
