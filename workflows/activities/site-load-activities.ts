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
import type { ProfileSent } from '../site-load/messages';

/** How long a profile may wait for its station; then it is given up as expired. */
const PROFILE_TTL_MS = 30_000;

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
          try {
            await updateDeviceTwin(temporal, database, key, sendCommandUpdate, [
              {
                actor: 'site-load-manager',
                id,
                name: 'SetChargingProfile',
                params,
                ttlMs: PROFILE_TTL_MS,
              },
            ]);
          } catch (error) {
            // A device that is gone, or whose twin refuses commands (retired), is not retried:
            // the refusal is the step's answer for that station.
            const refused =
              error instanceof WorkflowNotFoundError
                ? 'not-found'
                : error instanceof WorkflowUpdateFailedError
                  ? 'refused'
                  : null;
            if (refused === null) throw error;
            return {
              sessionId: p.sessionId,
              stationId: key.deviceId,
              limit: p.limit,
              status: refused,
            };
          }
          const status = await answerOf(database, key, id);
          return { sessionId: p.sessionId, stationId: key.deviceId, limit: p.limit, status };
        }),
      );
    },
  };
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
