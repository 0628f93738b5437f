import {
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { BulkProvisioningActivities } from '../activities/bulk-provisioning-activities';
import type { BulkProvisionArgs, BulkResume, BulkSubmitted } from './messages';

/** Rows per activity (one history step each) and provisioning starts in flight at once. */
const PAGE_SIZE = 100;
const CONCURRENCY = 8;

const OPTIONS: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
};
const acts = proxyActivities<BulkProvisioningActivities>(OPTIONS);

const add = (a: BulkSubmitted, b: BulkSubmitted): BulkSubmitted => ({
  started: a.started + b.started,
  alreadyProvisioned: a.alreadyProvisioned + b.alreadyProvisioned,
  failed: a.failed + b.failed,
});

/**
 * Submits a bulk provisioning's rows (`bulk-provision:<tenant>:<id>`), stored in PostgreSQL
 * by the API with their identities' hashes: page by page, each row to its own provisioning
 * workflow (idempotent by serial), its outcome recorded on the row — started, provisioned
 * before (its secret is void) or failed with the reason. The history grows by one activity
 * per page, not per row, and continues as new when Temporal suggests it; the rows'
 * activation is followed by their own workflows.
 */
export async function bulkProvision(
  args: BulkProvisionArgs & { resume?: BulkResume },
): Promise<BulkSubmitted> {
  const bulk: BulkProvisionArgs = {
    tenantId: args.tenantId,
    bulkId: args.bulkId,
    actor: args.actor,
    requestedAt: args.requestedAt,
    total: args.total,
  };
  let after = args.resume?.after ?? -1;
  let submitted = args.resume?.submitted ?? { started: 0, alreadyProvisioned: 0, failed: 0 };
  for (;;) {
    const page = await acts.submitBulkRows.executeWithOptions(
      {
        ...OPTIONS,
        summary: `Submit up to ${PAGE_SIZE} rows after row ${after + 1} of ${bulk.total}`,
      },
      [{ bulk, after, size: PAGE_SIZE, concurrency: CONCURRENCY }],
    );
    if (page.last === null) break;
    after = page.last;
    submitted = add(submitted, page.submitted);
    setCurrentDetails(
      `Rows up to ${after + 1} of ${bulk.total} handled: ${submitted.started} started, ${submitted.alreadyProvisioned} provisioned before, ${submitted.failed} failed`,
    );
    if (workflowInfo().continueAsNewSuggested)
      await continueAsNew<typeof bulkProvision>({ ...bulk, resume: { after, submitted } });
  }
  await acts.finishBulkProvisioning.executeWithOptions(
    { ...OPTIONS, summary: 'Every row submitted' },
    [{ tenantId: bulk.tenantId, bulkId: bulk.bulkId }],
  );
  return submitted;
}
