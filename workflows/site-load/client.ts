import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { TWIN_TASK_QUEUE } from '../task-queues';
import {
  removeSiteLimitUpdate,
  SITE_LOAD_WORKFLOW,
  setSiteLimitUpdate,
  siteLoadQuery,
  siteLoadWorkflowId,
  type SiteLoadArgs,
  type SiteLoadSettings,
  type SiteLoadView,
} from './messages';

/**
 * Sets a site's limit and policy, starting its load manager if it does not run yet
 * (update-with-start): answered once the manager accepted them; the recomputation follows.
 */
export function setSiteLoad(
  client: Client,
  site: { tenantId: string; siteId: string },
  settings: SiteLoadSettings,
  taskQueue = TWIN_TASK_QUEUE,
): Promise<SiteLoadView> {
  const args: SiteLoadArgs = { ...site, settings };
  const startWorkflowOperation = new WithStartWorkflowOperation(SITE_LOAD_WORKFLOW, {
    workflowId: siteLoadWorkflowId(site.tenantId, site.siteId),
    taskQueue,
    args: [args],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: `Load manager of site ${site.siteId} of tenant ${site.tenantId}`,
  });
  return client.workflow.executeUpdateWithStart(setSiteLimitUpdate, {
    args: [settings],
    startWorkflowOperation,
  });
}

/** The manager's current shares and recent steps; null when the site has no manager running. */
export async function querySiteLoad(
  client: Client,
  site: { tenantId: string; siteId: string },
): Promise<SiteLoadView | null> {
  try {
    return await client.workflow
      .getHandle(siteLoadWorkflowId(site.tenantId, site.siteId))
      .query(siteLoadQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}

/**
 * Removes a site's limit: its manager clears what it set on the stations and ends. Answered
 * once the online stations answered; null when no manager runs (nothing was set).
 */
export async function removeSiteLoad(
  client: Client,
  site: { tenantId: string; siteId: string },
): Promise<SiteLoadView | null> {
  try {
    return await client.workflow
      .getHandle(siteLoadWorkflowId(site.tenantId, site.siteId))
      .executeUpdate(removeSiteLimitUpdate);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}
