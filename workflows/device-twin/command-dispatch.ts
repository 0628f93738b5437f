import { CancellationScope, patched, proxyActivities } from '@temporalio/workflow';
import type { DeviceCommand, DeviceTwinState } from '../../twins/device';
import { gatewayTaskQueue } from '../task-queues';
import type { GatewayActivities } from './gateway-activities';

/** How long a device has to answer a command. */
const ANSWER_TIMEOUT_MS = 30_000;

/**
 * Hands the twin's pending commands to the gateway holding the device's connection, without
 * blocking the twin: each answer comes back as a command into the twin's queue. A command
 * whose connection is gone before delivery returns to pending, for the next connection.
 *
 * When the device comes back on another session (its gateway died, the balancer sent it to
 * another node), a delivery still waiting for the old session's gateway is cancelled at once:
 * a dead gateway never takes the task from its queue, and waiting for the schedule-to-start
 * time-out held the command back 30 s. The old gateway, if alive, finds the old session closed
 * and delivers nothing, so the command reaches the device once, on its new session.
 */
export class CommandDispatch {
  private readonly inFlight = new Set<string>();
  /** Deliveries by command id: the session each went to and how to call it off. */
  private readonly deliveries = new Map<string, { sessionId: string; scope: CancellationScope }>();

  constructor(private readonly enqueue: (command: DeviceCommand) => void) {}

  get idle(): boolean {
    return this.inFlight.size === 0;
  }

  dispatch(state: DeviceTwinState): void {
    const { status, sessionId, gatewayNode } = state.connectivity;
    if (status !== 'online' || !sessionId || !gatewayNode) return;
    const stale = [...this.deliveries.values()].filter((d) => d.sessionId !== sessionId);
    if (stale.length > 0 && patched('command-delivery-follows-new-session'))
      for (const delivery of stale) delivery.scope.cancel();
    for (const c of state.commands ?? []) {
      if (c.status !== 'pending' || this.inFlight.has(c.id)) continue;
      this.inFlight.add(c.id);
      const at = () => new Date().toISOString();
      this.enqueue({ type: 'command-sent', at: at(), id: c.id });
      const gateway = proxyActivities<GatewayActivities>({
        taskQueue: gatewayTaskQueue(gatewayNode),
        scheduleToStartTimeout: '30 seconds',
        startToCloseTimeout: ANSWER_TIMEOUT_MS + 10_000,
        retry: { maximumAttempts: 1 },
      });
      const scope = new CancellationScope();
      this.deliveries.set(c.id, { sessionId, scope });
      scope
        .run(() =>
          gateway.deliverCommand({
            sessionId,
            name: c.name,
            params: { ...c.params },
            timeoutMs: ANSWER_TIMEOUT_MS,
            commandId: c.id,
            expiresAt: c.expiresAt,
          }),
        )
        .then(
          (r) =>
            this.enqueue(
              r.delivered
                ? { type: 'command-answered', at: at(), id: c.id, outcome: r.outcome }
                : { type: 'command-returned', at: at(), id: c.id },
            ),
          () => this.enqueue({ type: 'command-returned', at: at(), id: c.id }),
        )
        .finally(() => {
          this.inFlight.delete(c.id);
          this.deliveries.delete(c.id);
        });
    }
  }
}
