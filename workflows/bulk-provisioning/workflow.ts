import {
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { BulkProvisioningActivities } from '../activities/bulk-provisioning-activities';
import type { BulkProvisionArgs, BulkResume, BulkSubmitted } from './messages';

/**
 * Rows per activity (one history step each; the rows without a workflow of their own are
 * registered in one transaction), provisioning starts in flight at once, and the bulk's
 * provisionings in admission at once (well under a worker's 100 activity slots).
 */
const PAGE = { size: 500, concurrency: 8, maxAdmitting: 25, budgetMs: 60_000 };

const OPTIONS: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
};
const acts = proxyActivities<BulkProvisioningActivities>(OPTIONS);

const add = (a: BulkSubmitted, b: BulkSubmitted): BulkSubmitted => ({
  registered: (a.registered ?? 0) + (b.registered ?? 0),
  alreadyRegistered: (a.alreadyRegistered ?? 0) + (b.alreadyRegistered ?? 0),
  refused: (a.refused ?? 0) + (b.refused ?? 0),
  started: a.started + b.started,
  alreadyProvisioned: a.alreadyProvisioned + b.alreadyProvisioned,
  failed: a.failed + b.failed,
});

/**
 * Submits a bulk provisioning's rows (`bulk-provision:<tenant>:<id>`), stored in PostgreSQL
 * by the API with their identities' hashes, page by page: the rows that need no workflow of
 * their own are registered in one transaction per page (record, identity, outcome; their
 * twins start on first need), the others each go to their own provisioning workflow
 * (activation expectations, an asset, an admission hook; idempotent by serial). Each row's
 * outcome is recorded on it — registered, started, registered or provisioned before (its
 * secret is void), refused or failed with the reason. At most `PAGE.maxAdmitting` of its
 * provisionings are in admission at once, so one bulk leaves the worker's activity slots to
 * other operations (an admission holds one while it waits on the twin; the twins'
 * projections have slots of their own, so this is fairness, not deadlock avoidance). The history grows by one activity
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
    ...(args.pageSize ? { pageSize: args.pageSize } : {}),
  };
  const page = { ...PAGE, size: args.pageSize ?? PAGE.size };
  let after = args.resume?.after ?? -1;
  let submitted: BulkSubmitted = args.resume?.submitted ?? {
    registered: 0,
    alreadyRegistered: 0,
    refused: 0,
    started: 0,
    alreadyProvisioned: 0,
    failed: 0,
  };
  for (;;) {
    const done = await acts.submitBulkRows.executeWithOptions(
      {
        ...OPTIONS,
        summary: `Submit up to ${page.size} rows after row ${after + 1} of ${bulk.total}`,
      },
      [{ bulk, after, ...page }],
    );
    if (done.last === null) break;
    after = done.last;
    submitted = add(submitted, done.submitted);
    setCurrentDetails(
      `Rows up to ${after + 1} of ${bulk.total} handled: ${submitted.registered ?? 0} registered, ${submitted.started} started, ${(submitted.alreadyRegistered ?? 0) + submitted.alreadyProvisioned} registered or provisioned before, ${(submitted.refused ?? 0) + submitted.failed} refused or failed`,
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
