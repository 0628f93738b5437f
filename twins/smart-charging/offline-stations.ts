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
 * @example siteLoads({ sessions, offline: ['cs3'], … }) // cs3's session held at what it was sent
 */
export function siteLoads(input: {
  sessions: readonly SiteSessionFact[];
  offline: readonly string[];
  offlineSince: OfflineSince;
  sent: Readonly<Record<string, number>>;
  now: number;
  releaseDelayMs: number;
}): {
  loads: ChargingSessionLoad[];
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
  return { loads, offlineSince, nextRelease };
}
