import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './support/graphql';
import type { Station } from './support/ocpp-station';
import {
  Received,
  SET_LIMIT,
  SITE_LOAD,
  start16 as startSession,
  stationAt,
} from './support/site-load-stations';
import { startTestStack, type TestStack } from './support/stack';
import { TwinGraph } from './support/twin-graph';

/**
 * A site with a 22 kW limit and three real stations (ocpp-rpc: two OCPP 1.6, one 2.0.1):
 * what each station *received* never adds up to more than the limit (docs/smart-charging.md).
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const at = () => new Date().toISOString();

describe('a site with a 22 kW limit', () => {
  it('shares it among sessions, gives released power to the others, and takes a dropped station’s share back after the delay', async () => {
    const graph = new TwinGraph(stack);
    await graph.customer('c1');
    await graph.site('depot', 'c1');
    const set = await graph.ok(SET_LIMIT, {
      i: {
        tenantId: graph.tenantId,
        siteId: 'depot',
        limit: 22000,
        unit: 'W',
        releaseDelaySeconds: 3,
      },
    });
    expect(set.setSiteLoadLimit).toMatchObject({ limit: 22000, unit: 'W', policy: 'EQUAL_SHARE' });

    const received = new Received();
    const cs1 = await stationAt(stack, graph, 'depot', 'cs1', 'ocpp1.6', received);
    const cs2 = await stationAt(stack, graph, 'depot', 'cs2', 'ocpp1.6', received);
    const cs3 = await stationAt(stack, graph, 'depot', 'cs3', 'ocpp2.0.1', received);

    // Three sessions start.
    const start16 = (cp: Station, name: string, idTag: string) =>
      startSession(cp, name, idTag, received);
    // One after the other, each once the one before has its profile: every start lowers the
    // others before the newcomer is raised.
    const shares = (expected: Array<number | undefined>, probe: () => Array<number | undefined>) =>
      expect.poll(probe, { timeout: 60_000, interval: 200 }).toEqual(expected);
    const tx1 = await start16(cs1, 'cs1', 'TAG-1');
    await shares([22000], () => [received.of('cs1', tx1)]);
    const tx2 = await start16(cs2, 'cs2', 'TAG-2');
    await shares([11000, 11000], () => [received.of('cs1', tx1), received.of('cs2', tx2)]);
    received.running.add('cs3:tx-3');
    await cs3.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: at(),
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId: 'tx-3', chargingState: 'Charging' },
      idToken: { idToken: 'TAG-3', type: 'ISO14443' },
      evse: { id: 1, connectorId: 1 },
    });
    await expect
      .poll(() => [received.of('cs1', tx1), received.of('cs2', tx2), received.of('cs3', 'tx-3')], {
        timeout: 60_000,
        interval: 200,
      })
      .toEqual([7334, 7333, 7333]);
    expect(received.maxSum).toBeLessThanOrEqual(22000);

    // A session stops: the others get the released power.
    await cs2.call('StopTransaction', {
      transactionId: Number(tx2),
      meterStop: 5000,
      timestamp: at(),
      reason: 'Local',
    });
    received.running.delete(`cs2:${tx2}`);
    await expect
      .poll(() => [received.of('cs1', tx1), received.of('cs3', 'tx-3')], {
        timeout: 60_000,
        interval: 200,
      })
      .toEqual([11000, 11000]);
    expect(received.maxSum).toBeLessThanOrEqual(22000);

    // A station drops: its share stays held for the delay, then comes back to the others.
    // Past the delay the dropped station is no longer counted (docs/smart-charging.md).
    await cs3.close();
    received.running.delete('cs3:tx-3');
    await expect
      .poll(() => received.of('cs1', tx1), { timeout: 60_000, interval: 200 })
      .toBe(22000);
    expect(received.maxSum).toBeLessThanOrEqual(22000);

    // The step is done once the station's answer is in (it received the profile before).
    const siteLoad = () => graph.ok(SITE_LOAD, { s: 'depot' }).then((d) => d.siteLoad);
    await expect
      .poll(async () => (await siteLoad()).shares, { timeout: 30_000, interval: 200 })
      .toEqual([{ stationId: 'cs1', limit: 22000, waiting: false, held: false }]);
    const view = { siteLoad: await siteLoad() };
    type Step = {
      allocated: number;
      shares: Array<{ stationId: string; limit: number; held: boolean }>;
    };
    const steps = view.siteLoad.history as Step[]; // newest first
    for (const step of steps) expect(step.allocated).toBeLessThanOrEqual(22000);
    // cs3's share was held (cs1 kept 11,000) before cs1 got the whole site.
    const held = steps.findIndex((s) =>
      s.shares.some((x) => x.stationId === 'cs3' && x.held && x.limit === 11000),
    );
    const raised = steps.findIndex((s) =>
      s.shares.some((x) => x.stationId === 'cs1' && x.limit === 22000),
    );
    expect(held).toBeGreaterThan(raised);
    expect(steps[held]!.shares.find((x) => x.stationId === 'cs1')?.limit).toBe(11000);
    await cs1.close();
    await cs2.close();
  });

  it('refuses a limit the allocation cannot use, and a site that does not exist', async () => {
    const graph = new TwinGraph(stack);
    await graph.customer('c1');
    await graph.site('depot', 'c1');
    const i = { tenantId: graph.tenantId, siteId: 'depot', limit: 32, unit: 'A' };
    expect(await graph.refused(SET_LIMIT, { i })).toBe('twin:smart-charging.limit-invalid');
    expect(await graph.refused(SET_LIMIT, { i: { ...i, unit: 'W', limit: -1 } })).toBe(
      'twin:smart-charging.limit-invalid',
    );
    expect(await graph.refused(SET_LIMIT, { i: { ...i, siteId: 'nowhere', unit: 'W' } })).toBe(
      'graph:site.not-found',
    );
    const none = await graph.ok(SITE_LOAD, { s: 'depot' });
    expect(none.siteLoad).toBeNull();
    const res = await graphql(stack.apiUrl, SITE_LOAD, { t: graph.tenantId, s: 'depot' });
    expect(res.errors).toBeUndefined();
  });
});
