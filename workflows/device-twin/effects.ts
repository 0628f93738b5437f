import { getExternalWorkflowHandle, log, proxyActivities } from '@temporalio/workflow';
import {
  evolve,
  type DeviceCommand,
  type DeviceEvent,
  type DeviceTwinState,
} from '../../twins/device';
import { deviceStatusOf } from '../../twins/asset';
import { assetWorkflowId } from '../../twins/ids';
import { delta } from '../../twins/shadow';
import { jsonEqual } from '../../twins/json-equal';
import { readPath } from '../../twins/profiles/dot-path';
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
  const statusChanged =
    before.lifecycle.state !== after.lifecycle.state ||
    before.connectivity.status !== after.connectivity.status ||
    (before.connectivity.pendingOffline === null) !==
      (after.connectivity.pendingOffline === null) ||
    before.binding?.assetId !== after.binding?.assetId;
  if (statusChanged && after.binding) await tellAsset(after);
  if (after.activation) await tellWatcher(before, after);
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

/** What a provisioning workflow verifying activation sees of the device. */
function observation(state: DeviceTwinState, fields: readonly string[]) {
  const reported: Record<string, unknown> = {};
  for (const field of fields) {
    const { found, value } = readPath(state.shadow.reported, field);
    if (found) reported[field] = value;
  }
  return {
    connected: state.connectivity.status !== 'unknown',
    model: state.model,
    firmware: state.firmware,
    reported,
  };
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
