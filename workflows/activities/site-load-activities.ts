import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Database } from '../../db/client';
import { findDeviceTwin } from '../../db/device-projection';
import { readSiteLoad } from '../../db/site-load-store';
import {
  txProfileRequest,
  type ChargingRateUnit,
  type SiteSessionFact,
} from '../../twins/smart-charging';
import { updateDeviceTwin } from '../device-twin/client';
import { sendCommandUpdate } from '../device-twin/messages';
import type { ProfileSent, StationProfileSent } from '../site-load/messages';

/** How long a profile may wait for its station; then it is given up as expired. */
const PROFILE_TTL_MS = 30_000;
/** How long a clear waits for an offline station: the twin's longest time-to-live. */
const QUEUED_TTL_MS = 7 * 24 * 3600 * 1000;

/** A TxDefaultProfile or a ClearChargingProfile for one station, built by the load manager. */
export interface StationProfileToSend {
  readonly stationId: string;
  readonly action: StationProfileSent['action'];
  readonly profileId: number;
  readonly limit: number | null;
  readonly name: 'SetChargingProfile' | 'ClearChargingProfile';
  readonly params: Record<string, unknown>;
  /** Its station is offline: queued for its next connection (7 days) and not waited for. */
  readonly queue: boolean;
}

export interface ProfileToSend {
  readonly session: SiteSessionFact;
  readonly sessionId: string;
  readonly limit: number;
  readonly unit: ChargingRateUnit;
  readonly phases?: 1 | 3;
}

/** The load manager's activities: read the site from the projection, send profiles through twins. */
export function createSiteLoadActivities(database: Database, temporal: Client) {
  return {
    readSiteLoad: (tenantId: string, siteId: string) => readSiteLoad(database, tenantId, siteId),

    /**
     * Sends each session's TxProfile through its station's twin (decision 5) and waits for
     * every station's answer, so the caller knows what holds before it raises anyone. Command
     * ids are derived from the step: a retried activity queues nothing twice.
     */
    async sendChargingProfiles(
      tenantId: string,
      step: string,
      profiles: readonly ProfileToSend[],
    ): Promise<ProfileSent[]> {
      return Promise.all(
        profiles.map(async (p): Promise<ProfileSent> => {
          const key = { tenantId, deviceId: p.session.deviceId };
          const id = `${step}:${p.sessionId}`;
          const params = txProfileRequest(p.session, {
            limit: p.limit,
            unit: p.unit,
            ...(p.phases !== undefined ? { phases: p.phases } : {}),
          });
          const refused = await queueCommand(key, id, 'SetChargingProfile', params, PROFILE_TTL_MS);
          if (refused)
            return {
              sessionId: p.sessionId,
              stationId: key.deviceId,
              limit: p.limit,
              status: refused,
            };
          const status = await answerOf(database, key, id);
          return { sessionId: p.sessionId, stationId: key.deviceId, limit: p.limit, status };
        }),
      );
    },

    /**
     * Sends stations load management's TxDefaultProfile, or clears what it set, through each
     * station's twin, and waits for the online ones' answers (an offline station's command
     * stays queued for its next connection: `queued`). Ids derived from the step, as above.
     */
    async sendStationProfiles(
      tenantId: string,
      step: string,
      profiles: readonly StationProfileToSend[],
    ): Promise<StationProfileSent[]> {
      return Promise.all(
        profiles.map(async (p): Promise<StationProfileSent> => {
          const key = { tenantId, deviceId: p.stationId };
          const id = `${step}:${p.stationId}:${p.action}:${p.profileId}`;
          const ttl = p.queue ? QUEUED_TTL_MS : PROFILE_TTL_MS;
          const sent = {
            stationId: p.stationId,
            action: p.action,
            profileId: p.profileId,
            limit: p.limit,
          };
          const refused = await queueCommand(key, id, p.name, p.params, ttl);
          if (refused) return { ...sent, status: refused };
          return { ...sent, status: p.queue ? 'queued' : await answerOf(database, key, id) };
        }),
      );
    },
  };

  /**
   * Queues a command on the station's twin (decision 5); null once queued, or why the twin
   * would not: a device that is gone, or whose twin refuses commands (retired), is not
   * retried, the refusal is the step's answer for that station.
   */
  async function queueCommand(
    key: { tenantId: string; deviceId: string },
    id: string,
    name: string,
    params: Record<string, unknown>,
    ttlMs: number,
  ): Promise<'not-found' | 'refused' | null> {
    try {
      await updateDeviceTwin(temporal, database, key, sendCommandUpdate, [
        { actor: 'site-load-manager', id, name, params, ttlMs },
      ]);
      return null;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return 'not-found';
      if (error instanceof WorkflowUpdateFailedError) return 'refused';
      throw error;
    }
  }
}

/** Polls the twin's projection until the command is answered (or expired). */
async function answerOf(
  database: Database,
  key: { tenantId: string; deviceId: string },
  id: string,
) {
  for (;;) {
    const state = await findDeviceTwin(database, key);
    const command = state?.commands?.find((c) => c.id === id);
    // Gone from the twin's list means pushed out by newer finished ones: it finished.
    if (!command) return 'unknown';
    if (command.status !== 'pending' && command.status !== 'sent') return command.status;
    Context.current().heartbeat();
    await Context.current().sleep(250);
  }
}

export type SiteLoadActivities = ReturnType<typeof createSiteLoadActivities>;
