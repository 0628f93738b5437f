import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import { initialAssetState } from '../../twins/asset';
import { assetWorkflowId, type AssetKey } from '../../twins/ids';
import { TWIN_TASK_QUEUE } from '../task-queues';
import {
  ASSET_TWIN_WORKFLOW,
  createAssetUpdate,
  type AssetChangeResult,
  type AssetTwinArgs,
  type CreateAssetRequest,
} from './messages';
import { assetSearchAttributes } from './search-attributes';

/**
 * Creates an asset: starts its twin if it does not run yet and asks it to create the asset,
 * in one call (update-with-start). Resolves with the version once the asset is projected;
 * rejects with the twin's code (e.g. `twin:asset.already-exists`).
 */
export async function createAssetTwin(
  client: Client,
  key: AssetKey,
  request: CreateAssetRequest,
  options: { taskQueue?: string } = {},
): Promise<AssetChangeResult> {
  const args: AssetTwinArgs = { tenantId: key.tenantId, assetId: key.assetId };
  const initial = assetSearchAttributes(initialAssetState(key)).filter((p) => p.value !== null);
  const start = new WithStartWorkflowOperation(ASSET_TWIN_WORKFLOW, {
    workflowId: assetWorkflowId(key),
    taskQueue: options.taskQueue ?? TWIN_TASK_QUEUE,
    args: [args],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: initial as unknown as TypedSearchAttributes,
    staticSummary: `Asset twin ${key.assetId} of tenant ${key.tenantId}`,
  });
  return client.workflow.executeUpdateWithStart(createAssetUpdate, {
    args: [request],
    startWorkflowOperation: start,
  });
}

/** The running asset twin, to send it updates and queries. */
export function assetTwinHandle(client: Client, key: AssetKey) {
  return client.workflow.getHandle(assetWorkflowId(key));
}
