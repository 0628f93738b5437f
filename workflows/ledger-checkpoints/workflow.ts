import { continueAsNew, log, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { TwinActivities } from '../activities';
import type { LedgerCheckpointsArgs } from './messages';

const { checkpointLedgers } = proxyActivities<TwinActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '10 seconds' },
});

/**
 * Signs the head of every tenant's ledger that grew, every interval: a workflow, so exactly
 * one signer runs per namespace, it survives any worker's restart, and each round is visible
 * in Temporal UI. The key stays in the workers (the activity), never in history.
 */
export async function ledgerCheckpoints(args: LedgerCheckpointsArgs): Promise<void> {
  for (;;) {
    const { signed } = await checkpointLedgers();
    if (signed > 0) log.info('ledger checkpoints signed', { signed });
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof ledgerCheckpoints>(args);
    await sleep(args.intervalMs);
  }
}
