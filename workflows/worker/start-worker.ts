import { fileURLToPath } from 'node:url';
import {
  NativeConnection,
  Worker,
  bundleWorkflowCode,
  type WorkflowBundle,
} from '@temporalio/worker';
import type { Database } from '../../db/client';
import { createTwinActivities } from '../activities';
import { TWIN_TASK_QUEUE } from '../task-queues';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../index.ts', import.meta.url));

export interface WorkerOptions {
  temporalAddress: string;
  namespace: string;
  database: Database;
  taskQueue?: string;
  /** A bundle built earlier (tests build it once per suite). */
  workflowBundle?: WorkflowBundle;
}

export interface RunningWorker {
  stop(): Promise<void>;
}

/** Bundles the workflows (a forbidden import fails here, not at run time). */
export function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
}

const noop = () => {};
const quietBundlerLogger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  log: noop,
};

/** Starts the twin worker; `stop()` drains in-flight tasks and closes the connection. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address: options.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TWIN_TASK_QUEUE,
    workflowBundle: options.workflowBundle ?? (await bundleWorkflows()),
    activities: createTwinActivities(options.database),
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
