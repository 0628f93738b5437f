import { getExternalWorkflowHandle, log, proxyActivities } from '@temporalio/workflow';
import { evolve, type DeviceEvent, type DeviceTwinState } from '../../twins/device';
import { deviceStatusOf } from '../../twins/asset';
import { assetWorkflowId } from '../../twins/ids';
import { delta } from '../../twins/shadow';
import { deviceStatusSignal } from '../asset-twin/messages';
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
