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
import type { Database } from '../../db/client';
import { boundedMap } from '../../twins/bounded-map';
import type { BulkProvisionArgs, BulkSubmitted } from '../bulk-provisioning/messages';
import { startProvisioning } from '../provisioning/client';
import { requireClient } from './fleet-activities';

type Row = Awaited<ReturnType<typeof pendingBulkRows>>[number];
type Outcome = { status: Exclude<BulkRowStatus, 'pending' | 'refused'>; reason: string | null };

/** A row that still fails on this attempt of its page is recorded failed, with the error. */
const ROW_ATTEMPTS = 3;
const NONE: BulkSubmitted = { started: 0, alreadyProvisioned: 0, failed: 0 };

/**
 * Activities of the bulk provisioning workflow. Idempotent: a page retried after a crash
 * submits only the rows still pending, and a row whose provisioning an earlier attempt
 * started (the memo names the bulk) counts as started, not as provisioned before.
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
     * Submits the next page of pending rows after `after`, each to its own provisioning
     * workflow (idempotent by serial), and records every outcome. At most `maxAdmitting` of
     * the bulk's provisionings are in admission at once (an admission holds worker activity
     * slots while it registers the twin, so a bulk must not take them all); with no room for
     * `budgetMs`, it returns what it did so far. Returns the last position handled (null:
     * no row was left) and the outcomes.
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
      const rows = await pendingBulkRows(database, key, input.after, input.size);
      if (rows.length === 0) return { last: null, submitted: NONE };
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
      return {
        last: done > 0 ? rows[done - 1]!.position : input.after,
        submitted: {
          started: count('started'),
          alreadyProvisioned: count('already-provisioned'),
          failed: count('failed'),
        },
      };
    },

    async finishBulkProvisioning(key: BulkKey): Promise<void> {
      await finishBulk(database, key);
    },
  };
}

export type BulkProvisioningActivities = ReturnType<typeof createBulkProvisioningActivities>;
