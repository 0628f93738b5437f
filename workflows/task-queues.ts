/** The task queue of the twin and operation workflows and their activities. */
export const TWIN_TASK_QUEUE = 'doppel-twins';

/** Each gateway process serves commands for the connections it holds on its own queue. */
export function gatewayTaskQueue(nodeId: string): string {
  return `gateway.${nodeId}`;
}

/**
 * The projection activities of a worker's twins run on a queue of their own, served by
 * separate slots: activities that wait on a twin (an operation updating it, an asset binding
 * a device) can then never hold every slot while the twin waits for its projection.
 */
export function projectionTaskQueue(twinTaskQueue: string): string {
  return `${twinTaskQueue}.projections`;
}
