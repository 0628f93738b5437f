import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import {
  finishBulk,
  pendingBulkRows,
  recordBulkRow,
  rowsInAdmission,
  type BulkKey,
  type BulkRowStatus,
} from '../../db/bulk-provisioning-store';
import { registerBulkRows } from '../../db/bulk-registration';
import type { Database } from '../../db/client';
import { findAdmissionHook } from '../../db/provisioning-store';
import { provisioningWorkflowReason } from '../../twins/provisioning/bulk-rows';
import { boundedMap } from '../../twins/bounded-map';
import type { BulkProvisionArgs, BulkSubmitted } from '../bulk-provisioning/messages';
import { startProvisioning } from '../provisioning/client';
import { requireClient } from './fleet-activities';

type Row = Awaited<ReturnType<typeof pendingBulkRows>>[number];
type Outcome = {
  status: 'started' | 'already-provisioned' | 'failed';
  reason: string | null;
};

/** A row that still fails on this attempt of its page is recorded failed, with the error. */
const ROW_ATTEMPTS = 3;
const NONE: BulkSubmitted = {
  registered: 0,
  alreadyRegistered: 0,
  refused: 0,
  started: 0,
  alreadyProvisioned: 0,
  failed: 0,
};

/**
 * Activities of the bulk provisioning workflow. Idempotent: a page retried after a crash
 * registers or submits only the rows still pending (a batch commits its records and its rows'
 * outcomes together), and a row whose provisioning an earlier attempt started (the memo names
 * the bulk) counts as started, not as provisioned before.
 */
export function createBulkProvisioningActivities(database: Database, temporal?: Client) {
  const client = () => requireClient(temporal);

  const submit = async (bulk: BulkProvisionArgs, row: Row): Promise<Outcome> => {
    if (!row.secretHash) return { status: 'failed', reason: 'the row has no identity to store' };
    const { workflowId, created } = await startProvisioning(
      client(),
      {
        tenantId: bulk.tenantId,
        actor: bulk.actor,
        request: row.request,
        secretHash: row.secretHash,
        requestedAt: bulk.requestedAt,
      },
      { memo: { bulkId: bulk.bulkId } },
    );
    if (created) return { status: 'started', reason: null };
    const { memo } = await client().workflow.getHandle(workflowId).describe();
    if (memo?.bulkId === bulk.bulkId) return { status: 'started', reason: null };
    return {
      status: 'already-provisioned',
      reason: `provisioned before this bulk (${workflowId}): the secret issued for this row is void`,
    };
  };

  /** Submits some rows at once; each outcome recorded, errors kept (the row stays pending). */
  const submitAll = async (
    bulk: BulkProvisionArgs,
    rows: Row[],
    concurrency: number,
    lastAttempt: boolean,
    errors: string[],
  ) =>
    boundedMap(rows, concurrency, async (row) => {
      let outcome: Outcome;
      try {
        outcome = await submit(bulk, row);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        errors.push(`${row.serial}: ${message}`);
        if (!lastAttempt) return null;
        outcome = { status: 'failed', reason: `could not start its provisioning: ${message}` };
      }
      await recordBulkRow(
        database,
        { tenantId: bulk.tenantId, bulkId: bulk.bulkId, position: row.position },
        outcome,
      );
      return outcome.status;
    });

  return {
    /**
     * Handles the next page of pending rows after `after`: the rows that need no workflow of
     * their own (provisioningWorkflowReason) are registered in ONE transaction
     * (registerBulkRows: records, identities, outcomes); the others each start their own
     * provisioning workflow (idempotent by serial), every outcome recorded. At most
     * `maxAdmitting` of the bulk's provisionings are in admission at once (an admission holds
     * worker activity slots while it registers the twin, so a bulk must not take them all);
     * with no room for `budgetMs`, it returns what it did so far. Returns the last position
     * handled (null: no row was left) and the outcomes.
     */
    async submitBulkRows(input: {
      bulk: BulkProvisionArgs;
      after: number;
      size: number;
      concurrency: number;
      maxAdmitting: number;
      budgetMs: number;
    }): Promise<{ last: number | null; submitted: BulkSubmitted }> {
      const { bulk } = input;
      const key: BulkKey = { tenantId: bulk.tenantId, bulkId: bulk.bulkId };
      const context = Context.current();
      const page = await pendingBulkRows(database, key, input.after, input.size);
      if (page.length === 0) return { last: null, submitted: NONE };
      const hook = (await findAdmissionHook(database, bulk.tenantId)) !== null;
      const rows = page.filter((r) => provisioningWorkflowReason(r.request, hook) !== null);
      context.heartbeat(0);
      const batch = await registerBulkRows(database, {
        ...key,
        actor: bulk.actor,
        requestedAt: bulk.requestedAt,
        positions: page.filter((r) => !rows.includes(r)).map((r) => r.position),
      });
      const batched = (s: BulkRowStatus) => batch.filter((r) => r.status === s).length;
      const lastAttempt = context.info.attempt >= ROW_ATTEMPTS;
      const errors: string[] = [];
      const outcomes: Array<Outcome['status'] | null> = [];
      const until = Date.now() + input.budgetMs;
      let done = 0;
      while (done < rows.length && Date.now() < until) {
        context.heartbeat(done);
        const room = input.maxAdmitting - (await rowsInAdmission(database, key));
        if (room <= 0) {
          await context.sleep(500);
          continue;
        }
        const next = rows.slice(done, done + Math.min(room, input.concurrency));
        outcomes.push(...(await submitAll(bulk, next, input.concurrency, lastAttempt, errors)));
        done += next.length;
      }
      // The rows that failed stay pending: the retry of this page takes them up again.
      if (errors.length > 0 && !lastAttempt)
        throw new Error(
          `${errors.length} rows could not be submitted: ${errors.slice(0, 3).join('; ')}`,
        );
      const count = (s: Outcome['status']) => outcomes.filter((o) => o === s).length;
      // Up to the first row not submitted yet (the batch's rows after it are no longer pending).
      const next = rows[done];
      return {
        last: next ? next.position - 1 : page[page.length - 1]!.position,
        submitted: {
          registered: batched('registered'),
          alreadyRegistered: batched('already-registered'),
          refused: batched('refused'),
          started: count('started'),
          alreadyProvisioned: count('already-provisioned') + batched('already-provisioned'),
          failed: count('failed') + batched('failed'),
        },
      };
    },

    async finishBulkProvisioning(key: BulkKey): Promise<void> {
      await finishBulk(database, key);
    },
  };
}

export type BulkProvisioningActivities = ReturnType<typeof createBulkProvisioningActivities>;
