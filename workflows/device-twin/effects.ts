import { log, proxyActivities } from '@temporalio/workflow';
import { evolve, type DeviceEvent, type DeviceTwinState } from '../../twins/device';
import { gatewayTaskQueue } from '../task-queues';
import type { GatewayActivities } from './gateway-activities';

/** A connection that a lifecycle change asked to close, as it was when the change happened. */
export interface ConnectionToClose {
  readonly sessionId: string;
  readonly gatewayNode: string;
  readonly reason: string;
}

/** The connections that `close-connection` effects in these events refer to. */
export function connectionsToClose(
  before: DeviceTwinState,
  events: readonly DeviceEvent[],
): ConnectionToClose[] {
  const found: ConnectionToClose[] = [];
  let state = before;
  for (const event of events) {
    const { sessionId, gatewayNode } = state.connectivity;
    if (
      event.type === 'lifecycle-changed' &&
      event.effects.includes('close-connection') &&
      sessionId &&
      gatewayNode
    ) {
      found.push({ sessionId, gatewayNode, reason: `device ${event.to}` });
    }
    state = evolve(state, event);
  }
  return found;
}

/**
 * Asks the gateway that holds the connection to close it. A gateway that is gone has lost the
 * connection anyway, so a failure here is logged, not retried for ever.
 */
export async function closeConnections(connections: readonly ConnectionToClose[]): Promise<void> {
  for (const c of connections) {
    const gateway = proxyActivities<GatewayActivities>({
      taskQueue: gatewayTaskQueue(c.gatewayNode),
      scheduleToCloseTimeout: '30 seconds',
      retry: { maximumAttempts: 3 },
    });
    try {
      await gateway.closeDeviceSession({ sessionId: c.sessionId, code: 4403, reason: c.reason });
    } catch (error) {
      log.warn('could not close the connection; the gateway is gone or lost it', {
        ...c,
        error: String(error),
      });
    }
  }
}
