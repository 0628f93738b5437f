import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { setTimeout as sleep } from 'node:timers/promises';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { INDEXED_TYPE } from '../embedded/temporal-cli';
const GRPC = { ALREADY_EXISTS: 6, NOT_FOUND: 5 } as const;

/**
 * The namespace and Doppel's search attributes on a fresh cluster (the real server, unlike
 * start-dev, creates neither), added to on every start when a newer Doppel has more. Retries
 * while the frontend's services are still joining.
 */
export async function ensureNamespace(
  address: string,
  namespace: string,
  /** Says why waiting is pointless (a service exited), or null. */
  failure: () => string | null = () => null,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const failed = failure();
    if (failed) throw new Error(`Temporal at ${address} cannot start: ${failed}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 5_000 });
      try {
        await registerOnce(connection, namespace);
        await addMissingAttributes(connection, namespace);
        await serving(connection, namespace);
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(
          `Temporal at ${address}: namespace ${namespace} not ready: ${String(error)}`,
          {
            cause: error,
          },
        );
      }
      await sleep(500);
    }
  }
}

async function registerOnce(connection: Connection, namespace: string): Promise<void> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return;
  } catch (error) {
    if ((error as { code?: number }).code !== GRPC.NOT_FOUND) throw error;
  }
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      description: 'Doppel twins and operations',
      workflowExecutionRetentionPeriod: msToTs('3 days'),
    });
  } catch (error) {
    if ((error as { code?: number }).code !== GRPC.ALREADY_EXISTS) throw error;
  }
}

async function addMissingAttributes(connection: Connection, namespace: string): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.entries(SEARCH_ATTRIBUTES).filter(
    ([name]) => customAttributes?.[name] === undefined,
  );
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, INDEXED_TYPE[type]])),
  });
  // Until the new attributes are listed, a twin that upserts one would fail its task.
  const { customAttributes: now } = await connection.operatorService.listSearchAttributes({
    namespace,
  });
  const still = missing.filter(([name]) => now?.[name] === undefined);
  if (still.length)
    throw new Error(`search attributes not added yet: ${still.map(([n]) => n).join(', ')}`);
}

/**
 * The frontend answers before history and matching serve it ("Not enough hosts to serve the
 * request"): a workflow that does not exist is looked up in its history shard, a task queue in
 * matching. Both answering is what a twin needs; nothing is written.
 */
async function serving(connection: Connection, namespace: string): Promise<void> {
  try {
    await connection.workflowService.describeWorkflowExecution({
      namespace,
      execution: { workflowId: 'doppel:readiness-probe' },
    });
  } catch (error) {
    if ((error as { code?: number }).code !== GRPC.NOT_FOUND) throw error;
  }
  await connection.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: 'doppel-readiness-probe' },
  });
}
