import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  decide,
  DEVICE_UNREACHABLE,
  evolveAll,
  type AssetCommand,
  type AssetEvent,
  type AssetTwinState,
} from '../../twins/asset';
import { isRejection, reject, type Rejection } from '../../twins/errors';
import type { TwinActivities } from '../activities';
import { projectionTaskQueue } from '../task-queues';
import { decideBatch } from '../decide-batch';
import type { Queued } from '../twin-queue';
import { changedAssetSearchAttributes } from './search-attributes';

/** Projections go to their worker's projection queue (see projectionTaskQueue). */
const projectAssetTwin = (...args: Parameters<TwinActivities['projectAssetTwin']>) =>
  proxyActivities<TwinActivities>({
    taskQueue: projectionTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '200 ms', maximumInterval: '10 seconds' },
  }).projectAssetTwin(...args);

// Bounded: a caller waits on the update, and a retried bind is safe (idempotent on both sides).
const { bindDeviceToAsset, unbindDeviceFromAsset } = proxyActivities<TwinActivities>({
  startToCloseTimeout: '20 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: { initialInterval: '200 ms', maximumInterval: '5 seconds' },
});

/** Decides and applies a batch; replies to waiting updates once the change is projected. */
export async function apply(
  state: AssetTwinState,
  items: Queued<AssetCommand, AssetTwinState>[],
): Promise<AssetTwinState> {
  const { next, events, replies } = await decideBatch(state, items, decideWithDevice, evolveAll);
  if (events.length > 0) {
    await projectAssetTwin(state, events);
    const changed = changedAssetSearchAttributes(state, next);
    if (changed.length > 0) upsertSearchAttributes(changed);
  }
  for (const reply of replies) reply();
  return next;
}

/**
 * A binding holds on both sides: the asset decides first (is it free?), then the device
 * twin is asked, and its refusal (bound elsewhere, closed, unknown) wins. Only then does the
 * asset record the change. The asset handles one command at a time, so nothing slips in
 * between the two answers.
 */
async function decideWithDevice(
  state: AssetTwinState,
  command: AssetCommand,
): Promise<AssetEvent[] | Rejection> {
  const planned = decide(state, command);
  if (isRejection(planned) || planned.length === 0) return planned;
  const { tenantId, assetId } = state;
  if (command.type === 'bind') {
    const status = await fromDevice(() =>
      bindDeviceToAsset({
        tenantId,
        assetId,
        deviceId: command.deviceId,
        siteId: state.siteId,
        customerId: state.customerId,
      }),
    );
    return isRejection(status) ? status : decide(state, { ...command, status });
  }
  const unbound = planned.find((e) => e.type === 'device-unbound');
  if (unbound) {
    const done = await fromDevice(() =>
      unbindDeviceFromAsset({ tenantId, assetId, deviceId: unbound.deviceId }),
    );
    if (done) return done;
  }
  return planned;
}

/** The device twin's answer; a twin that stayed unreachable until the timeout refuses too. */
async function fromDevice<T>(call: () => Promise<T | Rejection>): Promise<T | Rejection> {
  try {
    return await call();
  } catch (error) {
    return reject(
      DEVICE_UNREACHABLE,
      `the device twin did not answer (${String(error)}); try again, binding is idempotent`,
    );
  }
}
