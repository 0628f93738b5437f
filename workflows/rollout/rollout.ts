import {
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { abortReason, noRolloutCounts, waveSizes } from '../../twins/rollout/plan';
import { schedulePhase } from '../../twins/rollout/schedule';
import type { RolloutActivities } from '../activities/rollout-activities';
import {
  abortRolloutSignal,
  pauseRolloutSignal,
  resumeRolloutSignal,
  retryFailedSignal,
  rolloutProgressQuery,
  ROLLOUT_WAVE_WORKFLOW,
  type RolloutArgs,
  type RolloutProgress,
  type RolloutResume,
  type RolloutStatus,
} from './messages';
import type { rolloutWave } from './wave';

const acts = proxyActivities<RolloutActivities>({
  // Short: a worker that dies mid-activity is noticed after this (nothing heartbeats).
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '30 seconds' },
});

/** The same as local activities: a rollout's bookkeeping costs markers, not workflow tasks. */
const localActs = proxyLocalActivities<RolloutActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '30 seconds' },
});

const FRESH: RolloutResume = {
  targeted: 0,
  from: 0,
  index: 0,
  sizes: [],
  canaryDone: false,
  paused: false,
  aborted: false,
  endedBySchedule: false,
  retry: false,
  reason: null,
};

/**
 * An OTA rollout or bulk command (`rollout:<tenant>:<id>`, `bulk:<tenant>:<id>`): its targets
 * are fixed from the filter when it starts, then updated wave by wave — the canary first, then
 * waves of constant or growing size — each wave a child workflow. A device counts as updated
 * only after it rebooted into the new version. The rollout pauses itself when the canary has a
 * failure or an abort criterion is met; an operator resumes it, aborts it or retries the failed
 * devices; pause and abort reach the running wave at once. A schedule holds it until its start,
 * pauses its waves outside maintenance windows and stops it at its end; a continuous one then
 * watches for devices that match later.
 */
export async function otaRollout(args: RolloutArgs): Promise<RolloutProgress> {
  const { tenantId, config } = args;
  const rolloutId = config.id;
  const workflowId = workflowInfo().workflowId;
  // Rollouts started before bulk delivery ran their bookkeeping as activities of their own.
  const db = patched('rollout-local-bookkeeping') ? localActs : acts;
  const s = { ...(args.resume ?? FRESH), sizes: [...(args.resume?.sizes ?? [])] };
  let progress: RolloutProgress = {
    status: 'running',
    reason: s.reason,
    targeted: s.targeted,
    wave: s.index,
    waves: s.index + s.sizes.length,
    counts: noRolloutCounts(),
  };
  const now = () => new Date(Date.now());
  let phase = schedulePhase(now(), config.schedule);

  // The running wave is told to pause while the rollout is paused or outside its windows.
  let runningWave: string | null = null;
  let waveTold: 'pause' | 'resume' = 'resume';
  const tell = (signal: 'pause' | 'resume' | 'abort') => {
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
  const sync = () => {
    const want = s.paused || phase.phase !== 'open' ? 'pause' : 'resume';
    if (want !== waveTold) tell(want);
    waveTold = want;
  };
  const abort = (reason: string) => {
    s.aborted = true;
    s.reason = reason;
    tell('abort');
  };
  setHandler(pauseRolloutSignal, (request) => {
    s.paused = true;
    s.reason = request.reason ?? 'paused by an operator';
    sync();
  });
  setHandler(resumeRolloutSignal, () => {
    s.paused = false;
    s.reason = null;
    sync();
  });
  setHandler(abortRolloutSignal, (request) => abort(request.reason ?? 'aborted by an operator'));
  setHandler(retryFailedSignal, () => void (s.retry = true));
  setHandler(rolloutProgressQuery, () => progress);

  const status = (): RolloutStatus =>
    s.aborted
      ? 'aborting'
      : s.paused
        ? 'paused'
        : phase.phase === 'before-start'
          ? 'scheduled'
          : phase.phase === 'outside-window'
            ? 'waiting'
            : 'running';
  let recorded = args.resume !== undefined;
  const publish = async (final?: RolloutStatus) => {
    const counts = await db.rolloutCounts({ tenantId, rolloutId });
    progress = {
      ...progress,
      status: final ?? status(),
      reason: s.reason,
      targeted: s.targeted,
      counts,
    };
    await db.saveRollout({
      tenantId,
      rolloutId,
      workflowId,
      // The configuration goes in with the first record only (the history stays small).
      ...(recorded ? {} : { config }),
      status: progress.status,
      reason: s.reason,
      createdBy: args.actor,
    });
    recorded = true;
    return counts;
  };
  /**
   * Waits until `done()` holds, following the schedule meanwhile: a window that closes pauses
   * the running wave, one that opens resumes it, the end of the schedule aborts what is left.
   * `withinMs` bounds the wait (continuous mode's next look for newcomers).
   */
  const waitFor = async (done: () => boolean, withinMs?: number) => {
    const until = withinMs === undefined ? null : Date.now() + withinMs;
    for (;;) {
      phase = schedulePhase(now(), config.schedule);
      if (phase.phase === 'ended' && !s.aborted) {
        s.endedBySchedule = true;
        abort(`the schedule ended at ${config.schedule?.endAt}`);
      }
      sync();
      // Done: the caller records what comes next (targets, a wave) with the status.
      if (done() || (until !== null && Date.now() >= until)) return;
      if (progress.status !== status() || progress.reason !== s.reason) await publish();
      const wake = [phase.changesAt?.getTime(), until].filter((t): t is number => t != null);
      // At least a second: a boundary just passed is read on the next turn, never in a busy loop.
      const ms = wake.length ? Math.max(1_000, Math.min(...wake) - Date.now()) : undefined;
      // An operator's pause or resume is recorded at once, even in the middle of a wave.
      await condition(
        () => done() || progress.status !== status() || progress.reason !== s.reason,
        ms,
      );
    }
  };
  const runWave = async (from: number, size: number, devices?: string[]) => {
    const child = await startChild<typeof rolloutWave>(ROLLOUT_WAVE_WORKFLOW, {
      workflowId: `${workflowId}:wave-${s.index++}`,
      args: [{ tenantId, rolloutId, config, from, size, ...(devices ? { devices } : {}) }],
    });
    runningWave = child.workflowId;
    waveTold = 'resume';
    // A pause, abort or closed window that came while the wave was starting.
    if (s.aborted) tell('abort');
    else sync();
    let outcome: { result: Awaited<ReturnType<typeof rolloutWave>> } | { error: unknown } | null =
      null;
    void child.result().then(
      (result) => void (outcome = { result }),
      (error: unknown) => void (outcome = { error }),
    );
    await waitFor(() => outcome !== null);
    runningWave = null;
    const ended = outcome!;
    if ('error' in ended) throw ended.error;
    return ended.result;
  };
  /** Runs the failed devices again as a wave of their own (on request). */
  const retryFailed = async () => {
    s.retry = false;
    const failed = await db.rolloutFailedDevices({ tenantId, rolloutId });
    if (failed.length === 0) return;
    await db.resetFailed({ tenantId, rolloutId, deviceIds: failed });
    await runWave(0, 0, failed);
    await publish();
  };
  /** Fixes the targets (again, in continuous mode) and plans waves for the newcomers. */
  const selectTargets = async () => {
    const targeted = await db.selectRolloutTargets({
      tenantId,
      rolloutId,
      target: config.target,
    });
    const added = targeted - s.targeted;
    if (added <= 0) return;
    const canary = s.canaryDone ? 0 : Math.min(config.canary.devices, added);
    s.sizes.push(...[canary, ...waveSizes(added - canary, config.waves)].filter((n) => n > 0));
    s.targeted = targeted;
    progress = { ...progress, waves: s.index + s.sizes.length };
    await publish();
  };
  /**
   * A wave's health gate (docs/fleet-operations.md "Health-gated rollouts"): a durable bake
   * (the rollout follows controls and its schedule meanwhile), then one activity compares the
   * wave's updated devices with those not yet updated since the wave started. Its reason when
   * a limit is broken; null otherwise (no gate, a retry wave, aborted while baking).
   */
  const healthGate = async (from: number, size: number, wave: number, startedAt: Date) => {
    const gate = 'healthGate' in config ? config.healthGate : undefined;
    if (!gate || !('firmware' in config) || s.aborted) return null;
    const since = startedAt.toISOString();
    const until = new Date(Date.now() + gate.bakeSeconds * 1000).toISOString();
    await db.startHealthCheck({ tenantId, rolloutId, wave, since, until });
    await waitFor(() => s.aborted, gate.bakeSeconds * 1000);
    if (s.aborted) return null;
    const judged = await db.judgeRolloutHealth({
      tenantId,
      rolloutId,
      wave,
      from,
      size,
      version: config.firmware.version,
      since,
      until: now().toISOString(),
      gate,
    });
    return judged.verdict === 'failed' ? judged.reason : null;
  };
  const goOnAsNew = async () => {
    if (!workflowInfo().continueAsNewSuggested) return;
    await continueAsNew<typeof otaRollout>({ ...args, resume: { ...s, sizes: [...s.sizes] } });
  };

  if (!args.resume) {
    await publish();
    await waitFor(() => s.aborted || phase.phase !== 'before-start');
    if (!s.aborted) await selectTargets();
  }
  for (;;) {
    while (s.sizes.length > 0 && !s.aborted) {
      await waitFor(() => s.aborted || s.retry || (!s.paused && phase.phase === 'open'));
      if (s.aborted) break;
      if (s.retry) {
        await retryFailed();
        continue;
      }
      const size = s.sizes.shift()!;
      const canary = !s.canaryDone;
      s.canaryDone = true;
      progress = { ...progress, wave: s.index };
      await publish();
      const [from, wave, startedAt] = [s.from, s.index, now()];
      const result = await runWave(s.from, size);
      s.from += size;
      const counts = await publish();
      const more = s.sizes.length > 0 || !!config.continuous;
      // The canary must pass whole; later waves answer to the abort criteria; then the
      // wave's health gate, when the rollout has one and a wave follows.
      const stop =
        (canary && result.failed > 0
          ? `canary: ${result.failed} of ${result.succeeded + result.failed} devices failed`
          : abortReason(counts, config.abort)) ??
        (more ? await healthGate(from, size, wave, startedAt) : null);
      if (stop && !s.aborted && more) {
        s.paused = true;
        s.reason = `paused automatically: ${stop}`;
        await publish();
      }
      await goOnAsNew();
    }
    if (s.aborted || !config.continuous) break;
    // Continuous: look for devices that match the target now, until aborted or ended.
    await waitFor(() => s.aborted || s.retry, config.continuous.checkEveryS * 1000);
    if (s.aborted) break;
    if (s.retry) await retryFailed();
    else await selectTargets();
    await goOnAsNew();
  }
  if (s.retry && !s.aborted) await retryFailed();
  if (s.aborted) {
    const never = await db.rolloutPendingDevices({ tenantId, rolloutId });
    await db.abortPending({ tenantId, rolloutId, deviceIds: never });
    // A schedule that ended with every device served is how a continuous operation completes.
    await publish(s.endedBySchedule && never.length === 0 ? 'completed' : 'aborted');
    return progress;
  }
  await publish('completed');
  return progress;
}
