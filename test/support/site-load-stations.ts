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

/**
 * The limits in force on a site's stations, as the stations *received* them: each running
 * transaction's TxProfile, and each station's TxDefaultProfile on its connectors without a
 * transaction (docs/smart-charging.md). A station that has not heard a default yet is counted
 * at 0, as it has not started anything.
 */
export class Received {
  /** station → transaction → limit */
  readonly inForce = new Map<string, Map<string, number>>();
  /** station → TxDefaultProfile limit */
  readonly defaults = new Map<string, number>();
  /** station → how many connectors (EVSEs) it has */
  readonly connectors = new Map<string, number>();
  readonly running = new Set<string>();
  /** Each station's secret, to connect it again. */
  readonly tokens = new Map<string, string>();
  /** Every ClearChargingProfile, as `<station>:<id>`. */
  readonly cleared: string[] = [];
  maxSum = 0;

  record(station: string, method: string, params: any) {
    if (method === 'ClearChargingProfile') {
      this.cleared.push(`${station}:${params.id ?? params.chargingProfileId}`);
      if ((params.id ?? params.chargingProfileId) === 6000) this.defaults.delete(station);
      return;
    }
    if (method !== 'SetChargingProfile') return;
    const profile = params.csChargingProfiles ?? params.chargingProfile;
    const schedule = params.csChargingProfiles
      ? profile.chargingSchedule
      : profile.chargingSchedule[0];
    const limit = schedule.chargingSchedulePeriod[0].limit;
    if (profile.chargingProfilePurpose === 'TxDefaultProfile') {
      expect(params.connectorId ?? params.evseId).toBe(0);
      this.defaults.set(station, limit);
    } else {
      const mine = this.inForce.get(station) ?? new Map<string, number>();
      mine.set(String(profile.transactionId), limit);
      this.inForce.set(station, mine);
    }
    this.maxSum = Math.max(this.maxSum, this.sum());
  }

  start(station: string, tx: string) {
    this.running.add(`${station}:${tx}`);
    this.maxSum = Math.max(this.maxSum, this.sum());
  }

  stop(station: string, tx: string) {
    this.running.delete(`${station}:${tx}`);
  }

  /**
   * What the site may draw now: the running transactions' TxProfiles (a transaction without
   * one yet draws its station's default), plus the default of every connector without one.
   */
  sum(): number {
    let total = 0;
    for (const [station, count] of this.connectors) {
      const fallback = this.defaults.get(station) ?? 0;
      const txs = [...this.running].filter((r) => r.startsWith(`${station}:`));
      for (const r of txs) total += this.of(station, r.slice(station.length + 1)) ?? fallback;
      total += Math.max(0, count - txs.length) * fallback;
    }
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
  connectors = 1,
): Promise<Station> {
  const token = await graph.register(deviceId);
  await graph.asset(`bay-${deviceId}`, siteId);
  const bound = await graph.bind(`bay-${deviceId}`, deviceId);
  expect(bound.errors).toBeUndefined();
  received.connectors.set(deviceId, connectors);
  received.tokens.set(deviceId, token);
  return online(stack, graph, deviceId, version, received);
}

/** Connects a station of the site (again), recording what it receives, and boots it. */
export async function online(
  stack: TestStack,
  graph: TwinGraph,
  deviceId: string,
  version: OcppVersion,
  received: Received,
): Promise<Station> {
  const token = received.tokens.get(deviceId)!;
  const cp = await connectStation(stack.ocppUrl, version, deviceId, token, graph.tenantId);
  cp.handle(({ method, params }) => {
    received.record(deviceId, method, params);
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
  received.start(station, String(transactionId));
  return String(transactionId);
}
