import type { IdleConnectors } from './allocate';
import type { StationProtocol } from './charging-profile';
import type { ChargingSessionLoad } from './load-policy';

/** A running session at the site, as the ingest path stored it. */
export interface SiteSessionFact {
  deviceId: string;
  protocol: 'ocpp1.6' | 'ocpp2.0.1';
  transactionId: string;
  connectorId: number;
  token: string | null;
  startedAt: string;
}

/** An OCPP station of the site, as its record says. */
export interface SiteStationFact {
  deviceId: string;
  protocol: StationProtocol;
  /** The gateway connection carrying it (null offline): a new one may have lost what the last heard. */
  connection: string | null;
  /** The connectors (1.6) or EVSEs (2.0.1) it reported, 0 left out. */
  points: readonly number[];
}

/** When each offline station was first seen offline by the load manager (ms since epoch). */
export type OfflineSince = Readonly<Record<string, number>>;

export const sessionIdOf = (s: SiteSessionFact) => `${s.deviceId}:${s.transactionId}`;

/**
 * The sessions load management counts, given which stations are offline now. A station that
 * drops may keep charging on the last profile it heard, so its sessions keep their share
 * (`held`) for `releaseDelayMs`; after that its share is released to the others. A station
 * back online is counted as any other again. Returns the offline times to keep and when the
 * next release is due (null when none waits).
 *
 * Each counted station's connectors without a running session are `idle`: they may start a
 * session at any moment. A station that reported no connector counts as one; an offline one
 * still counted has its idle connectors held at the default it last heard (`defaults`).
 *
 * @example siteLoads({ sessions, offline: ['cs3'], … }) // cs3's session held at what it was sent
 */
export function siteLoads(input: {
  sessions: readonly SiteSessionFact[];
  offline: readonly string[];
  offlineSince: OfflineSince;
  sent: Readonly<Record<string, number>>;
  now: number;
  releaseDelayMs: number;
  /** The site's OCPP stations; none counts no idle connector. */
  stations?: readonly SiteStationFact[];
  /** The TxDefaultProfile limit each station last heard. */
  defaults?: Readonly<Record<string, number>>;
}): {
  loads: ChargingSessionLoad[];
  idle: IdleConnectors[];
  offlineSince: Record<string, number>;
  nextRelease: number | null;
} {
  const offlineSince: Record<string, number> = {};
  for (const deviceId of input.offline)
    offlineSince[deviceId] = input.offlineSince[deviceId] ?? input.now;
  let nextRelease: number | null = null;
  const loads: ChargingSessionLoad[] = [];
  for (const s of input.sessions) {
    const load: ChargingSessionLoad = {
      sessionId: sessionIdOf(s),
      stationId: s.deviceId,
      connectorId: s.connectorId,
      token: s.token,
      startedAt: s.startedAt,
    };
    const since = offlineSince[s.deviceId];
    if (since === undefined) {
      loads.push(load);
      continue;
    }
    const releaseAt = since + input.releaseDelayMs;
    if (input.now >= releaseAt) continue;
    nextRelease = nextRelease === null ? releaseAt : Math.min(nextRelease, releaseAt);
    // Never told a limit: it may draw what it can, which the site cannot know; counted as 0
    // like a session that has not started, as its station may never have begun charging.
    loads.push({ ...load, held: input.sent[load.sessionId] ?? 0 });
  }
  const idle: IdleConnectors[] = [];
  for (const station of input.stations ?? []) {
    const since = offlineSince[station.deviceId];
    if (since !== undefined && input.now >= since + input.releaseDelayMs) continue;
    const running = input.sessions.filter((s) => s.deviceId === station.deviceId);
    const points = new Set([...station.points, ...running.map((s) => s.connectorId)]);
    points.delete(0);
    const count = Math.max(0, Math.max(1, points.size) - running.length);
    if (since === undefined) {
      idle.push({ stationId: station.deviceId, count });
      continue;
    }
    const releaseAt = since + input.releaseDelayMs;
    nextRelease = nextRelease === null ? releaseAt : Math.min(nextRelease, releaseAt);
    idle.push({
      stationId: station.deviceId,
      count,
      held: input.defaults?.[station.deviceId] ?? 0,
    });
  }
  return { loads, idle, offlineSince, nextRelease };
}
