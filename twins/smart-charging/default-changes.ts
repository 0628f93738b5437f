import type { StationProtocol } from './charging-profile';
import type { SiteStationFact } from './offline-stations';

/** The TxDefaultProfile limit a station heard, and on which connection it heard it. */
export interface DefaultSent {
  limit: number;
  connection: string | null;
}

/** A station whose TxDefaultProfile must change. `from` is null when it may have none of ours. */
export interface DefaultChange {
  stationId: string;
  protocol: StationProtocol;
  from: number | null;
  to: number;
}

/**
 * Which online stations need the TxDefaultProfile at `startLimit`, in the two rounds of
 * profileChanges. A station that never heard ours, or heard it on an earlier connection (it may
 * have restarted without it), is unbounded for all the site knows: its default is a lowering
 * and goes in the first round. Offline stations hear nothing.
 *
 * @example defaultChanges({ cs1: { limit: 0, connection: 'a' } }, stations, new Set(), 4000)
 *   // { lower: [cs2 (new) → 4000], raise: [cs1: 0 → 4000] }
 */
export function defaultChanges(
  previous: Readonly<Record<string, DefaultSent>>,
  stations: readonly SiteStationFact[],
  offline: ReadonlySet<string>,
  startLimit: number,
): { lower: DefaultChange[]; raise: DefaultChange[] } {
  const lower: DefaultChange[] = [];
  const raise: DefaultChange[] = [];
  for (const station of stations) {
    if (offline.has(station.deviceId)) continue;
    const heard = previous[station.deviceId];
    const from = heard && heard.connection === station.connection ? heard.limit : null;
    if (from === startLimit) continue;
    const change = {
      stationId: station.deviceId,
      protocol: station.protocol,
      from,
      to: startLimit,
    };
    if (from === null || startLimit < from) lower.push(change);
    else raise.push(change);
  }
  return { lower, raise };
}
