import type { Database } from '../../db/client';
import { pruneOutbox } from '../../db/outbox-retention';

/** Activities of the outbox retention workflow; the window is this worker's configuration. */
export function createOutboxRetentionActivities(database: Database, retentionMs: number) {
  return {
    pruneOutbox: () => pruneOutbox(database, retentionMs),
  };
}
