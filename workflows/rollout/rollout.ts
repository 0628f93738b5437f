import {
  condition,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { abortReason, waveSizes } from '../../twins/rollout/plan';
import type { RolloutActivities } from '../activities/rollout-activities';
import {
  abortRolloutSignal,
  pauseRolloutSignal,
  resumeRolloutSignal,
  retryFailedSignal,
  rolloutProgressQuery,
  ROLLOUT_WAVE_WORKFLOW,
  type RolloutArgs,
  type RolloutCounts,
  type RolloutProgress,
  type RolloutStatus,
} from './messages';
import type { rolloutWave } from './wave';

const acts = proxyActivities<RolloutActivities>({
  // Short: a worker that dies mid-activity is noticed after this (nothing heartbeats).
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '30 seconds' },
});

const NO_COUNTS: RolloutCounts = {
  pending: 0,
  skipped: 0,
  commanded: 0,
  succeeded: 0,
  failed: 0,
  aborted: 0,
};

/**
 * An OTA rollout (`rollout:<tenant>:<id>`): its targets are fixed from the filter, then
 * updated wave by wave — the canary first, then waves of constant or growing size — each wave
 * a child workflow. A device counts as updated only after it rebooted into the new version.
 * The rollout pauses itself when the canary has a failure or an abort criterion is met; an
 * operator resumes it, aborts it or retries the failed devices; pause and abort reach the
 * running wave at once.
 */
export async function otaRollout(args: RolloutArgs): Promise<RolloutProgress> {
  const { tenantId, config } = args;
  const rolloutId = config.id;
  const workflowId = workflowInfo().workflowId;
  let progress: RolloutProgress = {
    status: 'running',
    reason: null,
    targeted: 0,
    wave: 0,
    waves: 0,
    counts: NO_COUNTS,
  };
  let paused = false;
  let aborted = false;
  let retry = false;
  let reason: string | null = null;
  let runningWave: string | null = null;
  const tellWave = (signal: 'pause' | 'resume' | 'abort') => {
    if (!runningWave) return;
    const wave = getExternalWorkflowHandle(runningWave);
    void (
      signal === 'pause'
        ? wave.signal(pauseRolloutSignal, {})
        : signal === 'resume'
          ? wave.signal(resumeRolloutSignal)
          : wave.signal(abortRolloutSignal, {})
    ).catch(() => undefined);
  };
  setHandler(pauseRolloutSignal, (request) => {
    paused = true;
    reason = request.reason ?? 'paused by an operator';
    tellWave('pause');
  });
  setHandler(resumeRolloutSignal, () => {
    paused = false;
    reason = null;
    tellWave('resume');
  });
  setHandler(abortRolloutSignal, (request) => {
    aborted = true;
    reason = request.reason ?? 'aborted by an operator';
    tellWave('abort');
  });
  setHandler(retryFailedSignal, () => void (retry = true));
  setHandler(rolloutProgressQuery, () => progress);

  const status = (): RolloutStatus => (aborted ? 'aborting' : paused ? 'paused' : 'running');
  const publish = async (final?: RolloutStatus) => {
    const counts = await acts.rolloutCounts({ tenantId, rolloutId });
    progress = { ...progress, status: final ?? status(), reason, counts };
    await acts.saveRollout({
      tenantId,
      rolloutId,
      workflowId,
      config,
      status: progress.status,
      reason,
      createdBy: args.actor,
    });
    return counts;
  };
  const runWave = async (index: number, from: number, size: number, devices?: string[]) => {
    const child = await startChild<typeof rolloutWave>(ROLLOUT_WAVE_WORKFLOW, {
      workflowId: `${workflowId}:wave-${index}`,
      args: [{ tenantId, rolloutId, config, from, size, ...(devices ? { devices } : {}) }],
    });
    runningWave = child.workflowId;
    // A pause or abort that came while the wave was starting.
    if (aborted) tellWave('abort');
    else if (paused) tellWave('pause');
    const result = await child.result();
    runningWave = null;
    return result;
  };

  await publish();
  const targeted = await acts.selectRolloutTargets({ tenantId, rolloutId, target: config.target });
  const canary = Math.min(config.canary.devices, targeted);
  const sizes = [canary, ...waveSizes(targeted - canary, config.waves)].filter((n) => n > 0);
  progress = { ...progress, targeted, waves: sizes.length };
  await publish();

  let from = 0;
  let index = 0;
  /** Runs the failed devices again as a wave of their own (on request). */
  const retryFailed = async () => {
    retry = false;
    const failed = await acts.rolloutFailedDevices({ tenantId, rolloutId });
    if (failed.length === 0) return;
    await acts.resetFailed({ tenantId, rolloutId, deviceIds: failed });
    await runWave(index++, 0, 0, failed);
    await publish();
  };
  for (const size of sizes) {
    for (;;) {
      await condition(() => !paused || aborted || retry);
      if (retry && !aborted) await retryFailed();
      else break;
    }
    if (aborted) break;
    progress = { ...progress, wave: index };
    await publish();
    const result = await runWave(index, from, size);
    from += size;
    const counts = await publish();
    // The canary must pass whole; later waves answer to the abort criteria.
    const stop =
      index === 0 && result.failed > 0
        ? `canary: ${result.failed} of ${result.succeeded + result.failed} devices failed`
        : abortReason(counts, config.abort);
    index++;
    if (stop && !aborted && from < targeted) {
      paused = true;
      reason = `paused automatically: ${stop}`;
      await publish();
    }
  }
  if (retry && !aborted) await retryFailed();
  if (aborted) {
    const never = await acts.rolloutPendingDevices({ tenantId, rolloutId });
    await acts.abortPending({ tenantId, rolloutId, deviceIds: never });
    await publish('aborted');
    return progress;
  }
  await publish('completed');
  return progress;
}
