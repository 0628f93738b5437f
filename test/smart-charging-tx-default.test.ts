import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Station } from './support/ocpp-station';
import { online, Received, stationAt } from './support/site-load-stations';
import { startTestStack, type TestStack } from './support/stack';
import { TwinGraph } from './support/twin-graph';

/**
 * A site with a 22 kW limit and a minimum of 5 kW per session, with real OCPP 1.6 and 2.0.1
 * stations (ocpp-rpc): every station keeps load management's TxDefaultProfile, and the
 * TxProfiles plus the defaults of connectors without a session never add up to more than the
 * limit, as the stations received them (docs/smart-charging.md, "Start limit").
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const SET_LIMIT = `mutation ($i: SetSiteLoadLimitInput!) { setSiteLoadLimit(input: $i) { limit } }`;
const REMOVE = `mutation ($t: ID!, $s: ID!) { removeSiteLoadLimit(tenantId: $t, siteId: $s) {
  history { reason stationProfiles { stationId action profileId limit status } } } }`;
const SITE_LOAD = `query ($t: ID!, $s: ID!) { siteLoad(tenantId: $t, siteId: $s) {
  history { reason siteLimit allocated startLimit reserved
    shares { stationId limit } stationProfiles { stationId action profileId limit status } } } }`;

const CONNECTIVITY = `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) {
  connectivity { status } } }`;

const at = () => new Date().toISOString();
const poll = <T>(probe: () => T) => expect.poll(probe, { timeout: 60_000, interval: 200 });

describe('a limited site’s TxDefaultProfile', () => {
  it('is sent to every station, counted for idle connectors, lowered to 0 when it no longer fits, and cleared with the limit', async () => {
    const graph = new TwinGraph(stack);
    await graph.customer('c1');
    await graph.site('depot', 'c1');
    const received = new Received();
    const cs1 = await stationAt(stack, graph, 'depot', 'cs1', 'ocpp1.6', received, 2);
    const cs2 = await stationAt(stack, graph, 'depot', 'cs2', 'ocpp1.6', received);

    // The limit is set: the idle connectors × 5 kW fit in 22 kW, so each station starts at 5 kW.
    await graph.ok(SET_LIMIT, {
      i: {
        tenantId: graph.tenantId,
        siteId: 'depot',
        limit: 22000,
        unit: 'W',
        minimumPerSession: 5000,
      },
    });
    const defaults = (...ids: string[]) => ids.map((id) => received.defaults.get(id));
    await poll(() => defaults('cs1', 'cs2')).toEqual([5000, 5000]);
    const history = async () =>
      (await graph.ok(SITE_LOAD, { s: 'depot' })).siteLoad.history as Array<any>;
    // cs1 says it has two connectors: one more that may start a session, kept at 5 kW.
    for (const connectorId of [1, 2])
      await cs1.call('StatusNotification', {
        connectorId,
        status: 'Available',
        errorCode: 'NoError',
      });
    await poll(async () => (await history())[0]?.reserved).toBe(15000);

    // A 2.0.1 station coming online later gets it too (4 idle connectors: 20 kW still fit).
    const cs3 = await stationAt(stack, graph, 'depot', 'cs3', 'ocpp2.0.1', received);
    await poll(() => defaults('cs3')).toEqual([5000]);

    // Sessions start; each idle connector keeps its 5 kW.
    const start16 = async (cp: Station, name: string, connectorId: number) => {
      const { transactionId } = await cp.call('StartTransaction', {
        connectorId,
        idTag: `TAG-${name}`,
        meterStart: 0,
        timestamp: at(),
      });
      received.start(name, String(transactionId));
      return String(transactionId);
    };
    const tx1 = await start16(cs1, 'cs1', 1);
    // 3 idle connectors keep 15 kW: the session gets the other 7 kW.
    await poll(() => received.of('cs1', tx1)).toBe(7000);
    const tx2 = await start16(cs2, 'cs2', 1);
    await poll(() => [received.of('cs1', tx1), received.of('cs2', tx2)]).toEqual([6000, 6000]);
    received.start('cs3', 'tx-3');
    await cs3.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: at(),
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId: 'tx-3', chargingState: 'Charging' },
      idToken: { idToken: 'TAG-3', type: 'ISO14443' },
      evse: { id: 1, connectorId: 1 },
    });
    // cs1's second connector keeps 5 kW; three sessions share 17 kW.
    await poll(() => [
      received.of('cs1', tx1),
      received.of('cs2', tx2),
      received.of('cs3', 'tx-3'),
    ]).toEqual([5667, 5667, 5666]);
    expect(defaults('cs1', 'cs2', 'cs3')).toEqual([5000, 5000, 5000]);

    // A fourth station: 3 × 5 kW for the sessions and 2 × 5 kW for idle connectors do not fit
    // in 22 kW, so every default drops to 0 (first), then the sessions get the whole limit.
    const cs4 = await stationAt(stack, graph, 'depot', 'cs4', 'ocpp1.6', received);
    await poll(() => defaults('cs1', 'cs2', 'cs3', 'cs4')).toEqual([0, 0, 0, 0]);
    await poll(() => [
      received.of('cs1', tx1),
      received.of('cs2', tx2),
      received.of('cs3', 'tx-3'),
    ]).toEqual([7334, 7333, 7333]);
    expect(received.maxSum).toBeLessThanOrEqual(22000);

    // Each step shows the defaults sent and each station's answer, and keeps the limit.
    await poll(async () => (await history())[0]?.startLimit).toBe(0);
    const steps = await history();
    for (const step of steps) expect(step.allocated).toBeLessThanOrEqual(22000);
    const sentDefaults = steps.flatMap((s) => s.stationProfiles);
    expect(sentDefaults).toEqual(
      expect.arrayContaining([
        {
          stationId: 'cs3',
          action: 'SET_DEFAULT',
          profileId: 6000,
          limit: 5000,
          status: 'succeeded',
        },
        { stationId: 'cs4', action: 'SET_DEFAULT', profileId: 6000, limit: 0, status: 'succeeded' },
      ]),
    );
    // Steps are newest first: the oldest that sent cs3 a default is when it came online.
    const withCs3 = steps.findLast((s) =>
      s.stationProfiles.some((p: any) => p.stationId === 'cs3'),
    );
    expect(withCs3).toMatchObject({ startLimit: 5000, reserved: 20000, allocated: 20000 });

    // cs4 drops before the limit goes: its clear waits in its twin's queue for it.
    await cs4.close();
    await poll(
      async () => (await graph.ok(CONNECTIVITY, { d: 'cs4' })).device.connectivity.status,
    ).toBe('OFFLINE');

    // Removing the limit clears every default and the running sessions' TxProfiles.
    const removed = await graph.ok(REMOVE, { s: 'depot' });
    const last = removed.removeSiteLoadLimit.history[0];
    expect(last.reason).toBe('limit removed');
    expect(
      last.stationProfiles
        .map((p: any) => `${p.stationId}:${p.action}:${p.profileId}:${p.status}`)
        .sort(),
    ).toEqual(
      [
        'cs1:CLEAR:6000:succeeded',
        'cs2:CLEAR:6000:succeeded',
        'cs3:CLEAR:6000:succeeded',
        'cs4:CLEAR:6000:queued',
        'cs1:CLEAR:7001:succeeded',
        'cs2:CLEAR:7001:succeeded',
        'cs3:CLEAR:7001:succeeded',
      ].sort(),
    );
    expect(received.cleared.sort()).toEqual(
      ['cs1:6000', 'cs1:7001', 'cs2:6000', 'cs2:7001', 'cs3:6000', 'cs3:7001'].sort(),
    );
    // Back online, cs4 hears its clear.
    const back = await online(stack, graph, 'cs4', 'ocpp1.6', received);
    await poll(() => received.cleared.includes('cs4:6000')).toBe(true);
    expect((await graph.ok(SITE_LOAD, { s: 'depot' })).siteLoad).toBeNull();
    expect(received.maxSum).toBeLessThanOrEqual(22000);
    for (const cp of [cs1, cs2, cs3, back]) await cp.close();
  });
});
