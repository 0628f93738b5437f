import { expect } from 'vitest';
import { bootPayload, connectStation, type OcppVersion, type Station } from './ocpp-station';
import type { TestStack } from './stack';
import type { TwinGraph } from './twin-graph';

/** Smart charging's API, as the tests call it (docs/smart-charging.md). */
export const SET_LIMIT = `mutation ($i: SetSiteLoadLimitInput!) { setSiteLoadLimit(input: $i) {
  limit unit policy releaseDelaySeconds } }`;
export const SITE_LOAD = `query ($t: ID!, $s: ID!) { siteLoad(tenantId: $t, siteId: $s) {
  limit unit shares { stationId limit waiting held }
  history { reason siteLimit allocated shares { stationId limit held } sent { stationId limit status } } } }`;

/** The limits in force on a site's stations, as the stations received them, per transaction. */
export class Received {
  /** station → transaction → limit (W) */
  readonly inForce = new Map<string, Map<string, number>>();
  readonly running = new Set<string>();
  maxSum = 0;

  record(station: string, params: any) {
    const tx =
      'csChargingProfiles' in params
        ? String(params.csChargingProfiles.transactionId)
        : params.chargingProfile.transactionId;
    const limit =
      'csChargingProfiles' in params
        ? params.csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0].limit
        : params.chargingProfile.chargingSchedule[0].chargingSchedulePeriod[0].limit;
    const mine = this.inForce.get(station) ?? new Map<string, number>();
    mine.set(tx, limit);
    this.inForce.set(station, mine);
    this.maxSum = Math.max(this.maxSum, this.sum());
  }

  /** What the running transactions may draw, summed: a profile of an ended one binds nothing. */
  sum(): number {
    let total = 0;
    for (const [station, txs] of this.inForce)
      for (const [tx, limit] of txs) if (this.running.has(`${station}:${tx}`)) total += limit;
    return total;
  }

  of(station: string, tx: string): number | undefined {
    return this.inForce.get(station)?.get(tx);
  }
}

/** A station bound (through an asset of its own) to the site, connected and booted. */
export async function stationAt(
  stack: TestStack,
  graph: TwinGraph,
  siteId: string,
  deviceId: string,
  version: OcppVersion,
  received: Received,
): Promise<Station> {
  const token = await graph.register(deviceId);
  await graph.asset(`bay-${deviceId}`, siteId);
  const bound = await graph.bind(`bay-${deviceId}`, deviceId);
  expect(bound.errors).toBeUndefined();
  const cp = await connectStation(stack.ocppUrl, version, deviceId, token, graph.tenantId);
  cp.handle(({ method, params }) => {
    if (method === 'SetChargingProfile') received.record(deviceId, params);
    return { status: 'Accepted' };
  });
  expect(await cp.call('BootNotification', bootPayload(version))).toMatchObject({
    status: 'Accepted',
  });
  return cp;
}

/** Starts an OCPP 1.6 session on connector 1; answers its transaction id. */
export async function start16(
  cp: Station,
  station: string,
  idTag: string,
  received: Received,
): Promise<string> {
  const { transactionId } = await cp.call('StartTransaction', {
    connectorId: 1,
    idTag,
    meterStart: 0,
    timestamp: new Date().toISOString(),
  });
  received.running.add(`${station}:${transactionId}`);
  return String(transactionId);
}
