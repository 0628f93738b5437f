import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { OcpiTokenPullActivities } from '../activities/ocpi-token-pull-activities';
import type { OcpiTokenPullArgs } from './messages';

/**
 * Pulls a newly connected eMSP's tokens into Doppel's cache (`ocpi-token-pull:<tenant>:<party>`,
 * docs/ocpi.md "Tokens (Receiver)"): page after page of `GET {eMSP tokens}`, each page retried
 * with back-off (1 s, doubling, at most 5 min, 10 attempts). Tokens not pulled are still asked
 * about in real time, so a pull that gives up loses no authorisation.
 */
export async function ocpiTokenPull(args: OcpiTokenPullArgs, offset = 0): Promise<void> {
  const acts = proxyActivities<OcpiTokenPullActivities>({
    startToCloseTimeout: '60 seconds',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '5 minutes',
      maximumAttempts: 10,
    },
  });
  let next: number | null = offset;
  while (next !== null) {
    if (workflowInfo().continueAsNewSuggested)
      await continueAsNew<typeof ocpiTokenPull>(args, next);
    next = (await acts.pullOcpiTokens({ ...args, offset: next })).next;
  }
}
