import type { Database } from '../../db/client';
import { pruneConnectionHistory } from '../../db/connection-history';
import { pruneOutbox } from '../../db/outbox-retention';

/** Closed device connections are kept this long (US NEVI asks for a year of port uptime). */
export const DEFAULT_CONNECTION_HISTORY_MS = 400 * 24 * 60 * 60 * 1000;

/**
 * Activities of the outbox retention workflow; the windows are this worker's configuration.
 * The same prune keeps the connection history (`device_sessions`) to its window: one
 * scheduled pruner per namespace, and no new activity for the running workflow to replay.
 */
export function createOutboxRetentionActivities(
  database: Database,
  retentionMs: number,
  connectionHistoryMs = DEFAULT_CONNECTION_HISTORY_MS,
) {
  return {
    pruneOutbox: async () => {
      const pruned = await pruneOutbox(database, retentionMs);
      await pruneConnectionHistory(database, connectionHistoryMs);
      return pruned;
    },
  };
}
