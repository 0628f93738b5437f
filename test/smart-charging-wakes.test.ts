import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Received, SET_LIMIT, start16, stationAt } from './support/site-load-stations';
import { startTestStack, type TestStack } from './support/stack';
import { TwinGraph } from './support/twin-graph';

/**
 * How a site's load manager hears of its sessions and stations (docs/smart-charging.md, "How
 * it hears"): the worker's drainer waits for the notice's NOTIFY, and the gateway writes
 * notices only for tenants it knows to have a limit. The drainer's backstop poll is an hour
 * here, so whatever a manager does below it did on a wake-up, never on the poll.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ siteLoadBackstopMs: 3_600_000 });
});
afterAll(() => stack?.stop());

const limitOf = (graph: TwinGraph, siteId: string) =>
  graph.ok(SET_LIMIT, {
    i: { tenantId: graph.tenantId, siteId, limit: 22000, unit: 'W', releaseDelaySeconds: 0 },
  });

describe('the site-load drainer', () => {
  it('drains a session start’s notice on its NOTIFY: the session gets its profile', async () => {
    const graph = new TwinGraph(stack);
    await graph.customer('c1');
    await graph.site('depot', 'c1');
    await limitOf(graph, 'depot');
    const received = new Received();
    const cs1 = await stationAt(stack, graph, 'depot', 'cs1', 'ocpp1.6', received);
    const tx1 = await start16(cs1, 'cs1', 'TAG-1', received);
    await expect
      .poll(() => received.of('cs1', tx1), { timeout: 20_000, interval: 200 })
      .toBe(22000);
    await cs1.close();
  });
});

describe('a limit set at run time on a tenant that had none', () => {
  it('counts from its stations’ next disconnect, without a restart', async () => {
    const graph = new TwinGraph(stack);
    await graph.customer('c1');
    await graph.site('depot', 'c1');
    // Connected and charging before the tenant has any limit: the gateway knows it has none.
    const received = new Received();
    const cs1 = await stationAt(stack, graph, 'depot', 'cs1', 'ocpp1.6', received);
    const cs2 = await stationAt(stack, graph, 'depot', 'cs2', 'ocpp1.6', received);
    const tx1 = await start16(cs1, 'cs1', 'TAG-1', received);
    const tx2 = await start16(cs2, 'cs2', 'TAG-2', received);
    await limitOf(graph, 'depot');
    await expect
      .poll(() => [received.of('cs1', tx1), received.of('cs2', tx2)], {
        timeout: 20_000,
        interval: 200,
      })
      .toEqual([11000, 11000]);
    // cs2 drops (release delay 0): only its disconnect's notice tells the manager, and cs1 gets
    // the site.
    await cs2.close();
    await expect
      .poll(() => received.of('cs1', tx1), { timeout: 20_000, interval: 200 })
      .toBe(22000);
    await cs1.close();
  });
});
