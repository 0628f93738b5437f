/** The one outbox pruner per namespace, started by whichever worker starts first. */
export const OUTBOX_RETENTION_WORKFLOW = 'outboxRetention';
export const OUTBOX_RETENTION_ID = 'outbox-retention';

export interface OutboxRetentionArgs {
  /** How often the outbox is pruned; the window itself is the worker's (OUTBOX_RETENTION_HOURS). */
  readonly intervalMs: number;
}

export const DEFAULT_OUTBOX_RETENTION: OutboxRetentionArgs = { intervalMs: 60 * 60 * 1000 };

/** Subscribers can resume from a cursor this recent; older outbox rows are pruned. */
export const DEFAULT_OUTBOX_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
