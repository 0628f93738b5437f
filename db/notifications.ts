import { ALARM_STATES_CHANNEL } from './alarm-steady';
import { BACKENDS_CHANNEL } from './backend-store';
import type { Database } from './client';
import { ROLLOUT_CHANNEL } from './rollout-store';
import { SITE_LOAD_LIMITS_CHANNEL, SITE_LOAD_NOTICES_CHANNEL } from './site-load-store';
import { OCPI_PARTIES_CHANNEL } from './ocpi-party-store';
import { OUTBOX_CHANNEL } from './schema';

/**
 * What Doppel's writers NOTIFY when they commit, and what the payload says: `outbox` (the
 * tenant whose twins changed), `backends` (the tenant whose backends changed), `rollouts`
 * (`<tenant>:<rollout>` whose status or counts changed), `alarmStates` (`[tenant, device]` as
 * JSON, whose alarm states an operator reset), `siteLoadNotices` (empty: a site's load
 * manager has a notice waiting), `siteLoadLimits` (the tenant whose site limits changed),
 * `ocpiParties` (the tenant one of whose OCPI parties connected).
 */
const CHANNELS = {
  outbox: OUTBOX_CHANNEL,
  backends: BACKENDS_CHANNEL,
  rollouts: ROLLOUT_CHANNEL,
  alarmStates: ALARM_STATES_CHANNEL,
  siteLoadNotices: SITE_LOAD_NOTICES_CHANNEL,
  siteLoadLimits: SITE_LOAD_LIMITS_CHANNEL,
  ocpiParties: OCPI_PARTIES_CHANNEL,
} as const;

export type NotificationTopic = keyof typeof CHANNELS;

export interface Listener {
  unlisten(): Promise<void>;
}

/**
 * LISTENs to a topic on the pool's listening connection: `onNotify` gets each payload;
 * `onListen` runs each time the LISTEN is in place — first, and again after the connection
 * came back, when a notification may have been missed meanwhile.
 *
 * @example await listenTo(database, 'outbox', (tenantId) => wake(tenantId), () => wake(null))
 */
export async function listenTo(
  database: Database,
  topic: NotificationTopic,
  onNotify: (payload: string) => void,
  onListen?: () => void,
): Promise<Listener> {
  const { unlisten } = await database.sql.listen(CHANNELS[topic], onNotify, onListen);
  return { unlisten };
}
