/** The task queue of the twin and operation workflows and their activities. */
export const TWIN_TASK_QUEUE = 'doppel-twins';

/** Each gateway process serves commands for the connections it holds on its own queue. */
export function gatewayTaskQueue(nodeId: string): string {
  return `gateway.${nodeId}`;
}
