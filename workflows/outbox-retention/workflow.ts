import { continueAsNew, log, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { TwinActivities } from '../activities';
import type { OutboxRetentionArgs } from './messages';

const { pruneOutbox } = proxyActivities<TwinActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { maximumInterval: '1 minute' },
});

/**
 * Keeps the outbox to its retention window: every interval, deletes the rows older than the
 * window (the activity knows it) and raises the horizon below which a resume is refused.
 * A workflow rather than a timer in some process: exactly one runs per namespace, it survives
 * any worker's restart, and each prune is visible in Temporal UI.
 */
export async function outboxRetention(args: OutboxRetentionArgs): Promise<void> {
  for (;;) {
    const { deleted, prunedThrough } = await pruneOutbox();
    if (deleted > 0) log.info('outbox pruned', { deleted, prunedThrough });
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof outboxRetention>(args);
    await sleep(args.intervalMs);
  }
}
