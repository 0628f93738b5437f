import {
  clearProfileRequest,
  LOAD_MANAGER_DEFAULT_PROFILE_ID,
  LOAD_MANAGER_PROFILE_ID_BASE,
  sessionIdOf,
  type DefaultSent,
} from '../../twins/smart-charging';
import type { SiteLoadActivities, StationProfileToSend } from '../activities/site-load-activities';

type SiteLoadFacts = Awaited<ReturnType<SiteLoadActivities['readSiteLoad']>>;

/**
 * What removing a site's limit sends: a ClearChargingProfile by id for every TxDefaultProfile
 * and every running session's TxProfile load management set, so no station keeps a start
 * limit of 0 or a session its share with nobody left to raise them. Offline stations get theirs
 * queued for their next connection.
 *
 * @example clearProfilesOf(facts, { cs1: { limit: 0, connection: 'a' } }, { 'cs1:7': 11000 })
 *   // [cs1 clear 6000, cs1 clear 7001 (the session's connector)]
 */
export function clearProfilesOf(
  facts: SiteLoadFacts,
  defaults: Readonly<Record<string, DefaultSent>>,
  sent: Readonly<Record<string, number>>,
): StationProfileToSend[] {
  const offline = new Set(facts.offline);
  const clear = (
    stationId: string,
    protocol: 'ocpp1.6' | 'ocpp2.0.1',
    profileId: number,
  ): StationProfileToSend => ({
    stationId,
    action: 'clear',
    profileId,
    limit: null,
    name: 'ClearChargingProfile',
    params: clearProfileRequest(protocol, profileId),
    queue: offline.has(stationId),
  });
  return [
    ...(facts.stations ?? [])
      .filter((s) => defaults[s.deviceId] !== undefined)
      .map((s) => clear(s.deviceId, s.protocol, LOAD_MANAGER_DEFAULT_PROFILE_ID)),
    ...facts.sessions
      .filter((s) => sent[sessionIdOf(s)] !== undefined)
      .map((s) => clear(s.deviceId, s.protocol, LOAD_MANAGER_PROFILE_ID_BASE + s.connectorId)),
  ];
}
