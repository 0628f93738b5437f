import { proxyActivities, sleep } from '@temporalio/workflow';
import type { OcpiCommandActivities } from '../activities/ocpi-command-activities';
import type { OcpiCommandArgs } from './messages';

/** How often the station's answer is looked for. */
const LOOK_EVERY_MS = 1_000;

/**
 * The asynchronous half of an OCPI command (`ocpi-command:<tenant>:<command>`): waits for the
 * station's answer to the twin command that carried it, then POSTs the CommandResult to the
 * eMSP's response_url — TIMEOUT when the station did not answer in time. The POST is retried
 * with back-off (1 s, doubling, at most 5 minutes, 20 attempts).
 */
export async function ocpiCommandResult(args: OcpiCommandArgs): Promise<string> {
  const acts = proxyActivities<OcpiCommandActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });
  const post = proxyActivities<OcpiCommandActivities>({
    startToCloseTimeout: '30 seconds',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '5 minutes',
      maximumAttempts: 20,
    },
  });
  let result: string | null = null;
  for (let waited = 0; result === null && waited < args.timeoutMs; waited += LOOK_EVERY_MS) {
    result = await acts.ocpiCommandOutcome(args);
    if (result === null) await sleep(LOOK_EVERY_MS);
  }
  const final = result ?? 'TIMEOUT';
  await post.postOcpiCommandResult({ ...args, result: final });
  return final;
}
