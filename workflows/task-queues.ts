/** The task queue of the twin and operation workflows and their activities. */
export const TWIN_TASK_QUEUE = 'doppel-twins';
