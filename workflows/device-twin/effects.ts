import { getExternalWorkflowHandle, log, proxyActivities } from '@temporalio/workflow';
import {
  evolve,
  observation,
  type DeviceCommand,
  type DeviceEvent,
  type DeviceTwinState,
} from '../../twins/device';
import { deviceStatusOf } from '../../twins/asset';
import { assetWorkflowId } from '../../twins/ids';
import { delta } from '../../twins/shadow';
import { jsonEqual } from '../../twins/json-equal';
import { deviceStatusSignal } from '../asset-twin/messages';
import { activationObservedSignal } from '../provisioning/messages';
import { gatewayTaskQueue } from '../task-queues';
import type { GatewayActivities } from './gateway-activities';

export const gatewayOf = (nodeId: string) =>
  proxyActivities<GatewayActivities>({
    taskQueue: gatewayTaskQueue(nodeId),
    // A gateway that is gone has lost the connection anyway: give up rather than retry for ever.
    scheduleToCloseTimeout: '30 seconds',
    retry: { maximumAttempts: 3 },
  });

/**
 * Carries out what a batch of events sets in motion, in order: close connections of replaced
 * or retired devices, push the shadow delta to an online device, tell the bound asset about
 * status changes. Each is best effort; the twin's state is already durable.
 */
export async function carryOutEffects(
  before: DeviceTwinState,
  events: readonly DeviceEvent[],
  after: DeviceTwinState,
) {
  let state = before;
  for (const event of events) {
    const { sessionId, gatewayNode } = state.connectivity;
    if (
      event.type === 'lifecycle-changed' &&
      event.effects.includes('close-connection') &&
      sessionId &&
      gatewayNode
    ) {
      await attempt('close the connection', () =>
        gatewayOf(gatewayNode).closeDeviceSession({
          sessionId,
          code: 4403,
          reason: `device ${event.to}`,
        }),
      );
    }
    state = evolve(state, event);
  }
  if (events.some((e) => e.type === 'desired-changed' || e.type === 'connected'))
    await pushDelta(after);
  if (statusChanged(before, after) && after.binding) await tellAsset(after);
  if (after.activation) await tellWatcher(before, after);
}

/** Whether what the bound asset knows of the device (deviceStatusOf) changed. */
function statusChanged(before: DeviceTwinState, after: DeviceTwinState): boolean {
  return (
    before.lifecycle.state !== after.lifecycle.state ||
    before.connectivity.status !== after.connectivity.status ||
    (before.connectivity.pendingOffline === null) !==
      (after.connectivity.pendingOffline === null) ||
    before.binding?.assetId !== after.binding?.assetId
  );
}

/**
 * The effects of a commit in the device record (docs/architecture.md): the connection to
 * close is the one the record held when the twin committed; the asset and a provisioning
 * watcher hear of what changed since the twin last looked (`seen`), which includes what the
 * ingest path committed meanwhile. Events are not folded again: the commit did that.
 */
export async function recordEffects(
  seen: DeviceTwinState,
  outcome: { before: DeviceTwinState; events: readonly DeviceEvent[]; after: DeviceTwinState },
): Promise<void> {
  const { before, events, after } = outcome;
  const { sessionId, gatewayNode } = before.connectivity;
  for (const event of events) {
    if (event.type !== 'lifecycle-changed' || !event.effects.includes('close-connection')) continue;
    if (sessionId && gatewayNode)
      await attempt('close the connection', () =>
        gatewayOf(gatewayNode).closeDeviceSession({
          sessionId,
          code: 4403,
          reason: `device ${event.to}`,
        }),
      );
  }
  if (events.some((e) => e.type === 'desired-changed')) await pushDelta(after);
  if (statusChanged(seen, after) && after.binding) await tellAsset(after);
  if (after.activation) await tellWatcher(seen, after);
}

/**
 * Closes the connections whose connect the twin refused because the device is retired or
 * replaced (the gateway welcomes a device before its twin hears of the connect).
 */
export async function closeRefusedConnects(
  state: DeviceTwinState,
  connects: ReadonlyArray<Extract<DeviceCommand, { type: 'connect' }>>,
): Promise<void> {
  for (const { sessionId, gatewayNode } of connects) {
    await attempt('close a refused connection', () =>
      gatewayOf(gatewayNode).closeDeviceSession({
        sessionId,
        code: 4403,
        reason: `device ${state.lifecycle.state}`,
      }),
    );
  }
}

/**
 * Tells the provisioning workflow verifying this device's activation what the twin has seen,
 * whenever that changed (so a chatty device does not flood the watcher's history).
 */
async function tellWatcher(before: DeviceTwinState, after: DeviceTwinState): Promise<void> {
  const { watcher, fields } = after.activation!;
  const seen = observation(after, fields);
  if (before.activation && jsonEqual(observation(before, fields), seen)) return;
  await attempt('tell the provisioning workflow', () =>
    getExternalWorkflowHandle(watcher).signal(activationObservedSignal, {
      ...seen,
      version: after.version,
    }),
  );
}

async function pushDelta(state: DeviceTwinState): Promise<void> {
  const { sessionId, gatewayNode, status } = state.connectivity;
  const pending = delta(state.shadow);
  if (status !== 'online' || !sessionId || !gatewayNode || Object.keys(pending).length === 0)
    return;
  await attempt('push the desired delta', () =>
    gatewayOf(gatewayNode).pushDesired({
      sessionId,
      shadowVersion: state.shadow.version,
      delta: pending,
    }),
  );
}

async function tellAsset(state: DeviceTwinState): Promise<void> {
  const asset = getExternalWorkflowHandle(
    assetWorkflowId({ tenantId: state.tenantId, assetId: state.binding!.assetId }),
  );
  await attempt('tell the asset', () => asset.signal(deviceStatusSignal, deviceStatusOf(state)));
}

async function attempt(what: string, effect: () => Promise<unknown>): Promise<void> {
  try {
    await effect();
  } catch (error) {
    log.warn(`could not ${what}`, { error: String(error) });
  }
}
