import { condition, defineSignal, setHandler } from '@temporalio/workflow';

/** Signal name of the raw sink: an empty signal, nothing done with it but counting. */
export const ping = defineSignal('ping');

/**
 * The ceiling of the twin pipeline: a workflow that takes empty signals and does nothing else
 * (no decide, no activity, no projection). Raw signal-with-start against it measures what the
 * Temporal server and one worker can do on this machine.
 */
export async function rawSignalSink(): Promise<void> {
  let received = 0;
  setHandler(ping, () => {
    received++;
  });
  await condition(() => received < 0);
}
