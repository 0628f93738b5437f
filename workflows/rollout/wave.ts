import {
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { RolloutActivities, Started, WaveDevice } from '../activities/rollout-activities';
import { gatewayTaskQueue } from '../task-queues';
import type { BatchDeliveryActivities, NodeBatch } from './batch-delivery';
import {
  abortRolloutSignal,
  pauseRolloutSignal,
  resumeRolloutSignal,
  type WaveArgs,
  type WaveResult,
} from './messages';

/** Devices commanded per activity: a wave's history grows per batch, not per device. */
const START_BATCH = 50;
/** Devices read, judged and commanded per activity with bulk delivery. */
const BULK_BATCH = 1_000;

const acts = proxyActivities<RolloutActivities>({
  // Short: a worker that dies mid-activity is noticed after this (nothing heartbeats).
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '30 seconds' },
});
/**
 * The same, run as local activities in the workflow task that asks for them (bulk delivery):
 * reading, judging and recording a batch costs the wave a marker, not a workflow task of its own.
 */
const localActs = proxyLocalActivities<RolloutActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '30 seconds' },
});

/** The gateway node's own activities (its task queue), given up on when nobody serves it. */
const gateway = (node: string) =>
  proxyActivities<BatchDeliveryActivities>({
    taskQueue: gatewayTaskQueue(node),
    startToCloseTimeout: '15 seconds',
    scheduleToCloseTimeout: '40 seconds',
    retry: { initialInterval: '1 second', maximumAttempts: 3 },
  });

/**
 * Hands each gateway node its batch at once. A device not handed its command (no longer on
 * that node, or the node is gone) keeps it: the next observation finds where it is now.
 */
async function deliver(deliveries: readonly NodeBatch[]): Promise<void> {
  await Promise.all(
    deliveries.map(({ node, batch }) =>
      gateway(node)
        .deliverCommandBatch(batch)
        .catch(() => undefined),
    ),
  );
}

/**
 * One wave of a rollout (a child workflow, so no history grows with the fleet): at most
 * `maxConcurrency` devices updating at once, each judged by its outcome, retried up to
 * `perDevice.retries` times. Paused, it commands nobody new; aborted, it commands nobody new
 * and marks the rest aborted — devices already updating are still judged.
 */
export async function rolloutWave(args: WaveArgs): Promise<WaveResult> {
  const { tenantId, rolloutId, config } = args;
  let paused = args.resume?.paused ?? false;
  let aborted = args.resume?.aborted ?? false;
  setHandler(pauseRolloutSignal, () => void (paused = true));
  setHandler(resumeRolloutSignal, () => void (paused = false));
  setHandler(abortRolloutSignal, () => void (aborted = true));
  // Waves started before bulk delivery commanded each device through its twin.
  const bulk = patched('rollout-wave-bulk-delivery');
  const db = bulk ? localActs : acts;

  const queue =
    args.resume?.queue ??
    (args.devices
      ? [...args.devices]
      : await db.rolloutWaveDevices({ tenantId, rolloutId, from: args.from, size: args.size }));
  const inFlight: WaveDevice[] = args.resume?.inFlight ?? [];
  const result = {
    ...(args.resume?.result ?? { succeeded: 0, failed: 0, skipped: 0, aborted: 0 }),
  };
  const finalAttempt = config.perDevice.retries + 1;
  // Poll often enough for short time-outs, rarely enough to keep the history small.
  // With bulk delivery a look is one query and a timer (the judging is a local activity), so
  // the wave looks every 2 s at most: a device's success is seen soon after its reboot.
  const pollMs = Math.min(
    bulk ? 2_000 : 10_000,
    Math.max(1_000, (config.perDevice.timeoutS * 1000) / 30),
  );

  const record = (started: Started) => {
    if ('skipped' in started) result.skipped++;
    else inFlight.push(started.inFlight);
  };
  const start = async (deviceId: string, attempt: number) =>
    record(await acts.startDeviceUpdate({ tenantId, rolloutId, deviceId, config, attempt }));
  // Waves started before batching command one device per activity (their histories replay so).
  const batched = patched('rollout-wave-batched-starts');
  const startBulk = async (deviceIds: string[], attempt: number) => {
    const started = await db.prepareDeviceBatch({
      tenantId,
      rolloutId,
      deviceIds,
      config,
      attempt,
    });
    result.skipped += started.skipped;
    for (const deviceId of started.commanded) inFlight.push({ deviceId, attempt });
    await deliver(started.deliveries);
  };
  const startMany = async (deviceIds: string[], attempt: number) => {
    const started = await acts.startDeviceUpdates({
      tenantId,
      rolloutId,
      deviceIds,
      config,
      attempt,
    });
    result.skipped += started.skipped;
    for (const deviceId of started.commanded) inFlight.push({ deviceId, attempt });
  };

  for (;;) {
    while (!paused && !aborted && queue.length > 0 && inFlight.length < config.maxConcurrency) {
      if (bulk)
        await startBulk(
          queue.splice(0, Math.min(BULK_BATCH, config.maxConcurrency - inFlight.length)),
          1,
        );
      else if (!batched) await start(queue.shift()!, 1);
      else
        await startMany(
          queue.splice(0, Math.min(START_BATCH, config.maxConcurrency - inFlight.length)),
          1,
        );
    }
    if (aborted && queue.length > 0) {
      const never = queue.splice(0);
      await db.abortPending({ tenantId, rolloutId, deviceIds: never });
      result.aborted += never.length;
    }
    if (inFlight.length === 0) {
      if (queue.length === 0) return result;
      // Paused with nothing in flight: wait for the operator.
      await condition(() => !paused || aborted);
      continue;
    }
    await sleep(pollMs);
    const observe = {
      tenantId,
      rolloutId,
      config,
      deviceIds: inFlight.map((d) => d.deviceId),
      finalAttempt,
    };
    let finished;
    if (bulk) {
      const judged = await db.judgeDeviceBatch(observe);
      finished = judged.finished;
      await deliver(judged.deliveries);
    } else finished = await acts.observeDeviceUpdates(observe);
    const again = new Map<number, string[]>();
    for (const f of finished) {
      const i = inFlight.findIndex((d) => d.deviceId === f.deviceId);
      const [done] = inFlight.splice(i, 1);
      if (f.outcome === 'succeeded') result.succeeded++;
      else if (f.outcome === 'skipped') result.skipped++;
      else if (done!.attempt < finalAttempt && !aborted) {
        if (!batched) await start(f.deviceId, done!.attempt + 1);
        else again.set(done!.attempt + 1, [...(again.get(done!.attempt + 1) ?? []), f.deviceId]);
      } else result.failed++;
    }
    for (const [attempt, deviceIds] of again)
      for (let i = 0; i < deviceIds.length; i += bulk ? BULK_BATCH : START_BATCH)
        if (bulk) await startBulk(deviceIds.slice(i, i + BULK_BATCH), attempt);
        else await startMany(deviceIds.slice(i, i + START_BATCH), attempt);
    if (workflowInfo().continueAsNewSuggested)
      await continueAsNew<typeof rolloutWave>({
        ...args,
        resume: { queue, inFlight, paused, aborted, result },
      });
  }
}
