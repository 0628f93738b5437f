import { and, asc, eq, gt, sql as dsql } from 'drizzle-orm';
import { webhookTakes } from '../twins/webhooks';
import type { Database } from './client';
import { outboxEntryOf, type OutboxEntry } from './outbox-reader';
import { outbox, webhookDeadLetters, webhooks } from './schema';

// The delivery workflow's side of the webhooks tables (its activities call these). The cursor
// only moves by compare-and-set from the value the workflow last saw, so a replay that moved
// it meanwhile wins and the workflow reads on from there.

export type WebhookPage =
  | { readonly status: 'removed' }
  /** Nothing to send (or disabled): the webhook is marked waiting, a NOTIFY wakes it. */
  | { readonly status: 'idle'; readonly cursor: number }
  | {
      readonly status: 'ready';
      readonly cursor: number;
      /** Outbox ids the filter takes, in order. */
      readonly ids: number[];
      readonly maxAttempts: number;
    };

const key = (tenantId: string, webhookId: string) =>
  and(eq(webhooks.tenantId, tenantId), eq(webhooks.webhookId, webhookId));

/**
 * The next events a webhook is to receive after its cursor. Events the filter does not take
 * are skipped by moving the cursor past them. `waiting` is set before the outbox is read, so a
 * commit after the read always finds it set and wakes the workflow.
 */
export async function readWebhookPage(
  database: Database,
  tenantId: string,
  webhookId: string,
  limit = 100,
): Promise<WebhookPage> {
  for (;;) {
    const [hook] = await database.db
      .update(webhooks)
      .set({ waiting: true })
      .where(key(tenantId, webhookId))
      .returning();
    if (!hook) return { status: 'removed' };
    if (!hook.enabled) return { status: 'idle', cursor: hook.cursor };
    const rows = await database.db
      .select({
        id: outbox.id,
        aggregateType: outbox.aggregateType,
        aggregateId: outbox.aggregateId,
        kind: outbox.kind,
      })
      .from(outbox)
      .where(and(eq(outbox.tenantId, tenantId), gt(outbox.id, hook.cursor)))
      .orderBy(asc(outbox.id))
      .limit(limit);
    if (rows.length === 0) return { status: 'idle', cursor: hook.cursor };
    await database.db.update(webhooks).set({ waiting: false }).where(key(tenantId, webhookId));
    // Alarm events go to notification channels (docs/alarms.md), not to twin webhooks.
    const ids = rows
      .filter((r) => r.aggregateType !== 'alarm' && webhookTakes(hook.filter, r))
      .map((r) => r.id);
    if (ids.length > 0)
      return { status: 'ready', cursor: hook.cursor, ids, maxAttempts: hook.maxAttempts };
    await advanceWebhookCursor(database, tenantId, webhookId, hook.cursor, rows.at(-1)!.id);
  }
}

/** Where and how to deliver, read afresh for every attempt (an update applies at once). */
export async function webhookTarget(database: Database, tenantId: string, webhookId: string) {
  const [hook] = await database.db
    .select({
      url: webhooks.url,
      secret: webhooks.secret,
      enabled: webhooks.enabled,
      cursor: webhooks.cursor,
    })
    .from(webhooks)
    .where(key(tenantId, webhookId));
  return hook ?? null;
}

/** One of the tenant's outbox events (never another tenant's). */
export async function readTenantOutboxEntry(
  database: Database,
  tenantId: string,
  id: number,
): Promise<OutboxEntry | null> {
  const [r] = await database.db
    .select()
    .from(outbox)
    .where(and(eq(outbox.tenantId, tenantId), eq(outbox.id, id)));
  return r ? outboxEntryOf(r) : null;
}

/** Moves the cursor from `expected` to `to`; false when someone else moved it first. */
export async function advanceWebhookCursor(
  database: Database,
  tenantId: string,
  webhookId: string,
  expected: number,
  to: number,
): Promise<boolean> {
  const moved = await database.db
    .update(webhooks)
    .set({ cursor: to })
    .where(and(key(tenantId, webhookId), eq(webhooks.cursor, expected)))
    .returning({ id: webhooks.webhookId });
  return moved.length > 0;
}

/** Gives up on one event: a dead letter, and the cursor past it (unless it was moved). */
export async function deadLetterWebhookEvent(
  database: Database,
  letter: {
    tenantId: string;
    webhookId: string;
    outboxId: number;
    expected: number;
    attempts: number;
    lastError: string;
  },
): Promise<boolean> {
  return database.db.transaction(async (tx) => {
    const moved = await tx
      .update(webhooks)
      .set({ cursor: letter.outboxId })
      .where(and(key(letter.tenantId, letter.webhookId), eq(webhooks.cursor, letter.expected)))
      .returning({ id: webhooks.webhookId });
    if (moved.length === 0) return false;
    await tx
      .insert(webhookDeadLetters)
      .values({
        tenantId: letter.tenantId,
        webhookId: letter.webhookId,
        outboxId: letter.outboxId,
        attempts: letter.attempts,
        lastError: letter.lastError.slice(0, 2_000),
      })
      .onConflictDoUpdate({
        target: [
          webhookDeadLetters.tenantId,
          webhookDeadLetters.webhookId,
          webhookDeadLetters.outboxId,
        ],
        set: {
          attempts: letter.attempts,
          lastError: letter.lastError.slice(0, 2_000),
          deadAt: new Date(),
        },
      });
    return true;
  });
}

/**
 * Claims the waiting webhooks of a tenant (all tenants when null) for a wake-up: each is
 * claimed by one caller only, so several workers hearing the same NOTIFY signal it once.
 */
export async function claimWaitingWebhooks(
  database: Database,
  tenantId: string | null,
): Promise<Array<{ tenantId: string; webhookId: string }>> {
  return database.db
    .update(webhooks)
    .set({ waiting: false })
    .where(
      and(
        eq(webhooks.waiting, true),
        eq(webhooks.enabled, true),
        tenantId === null ? dsql`true` : eq(webhooks.tenantId, tenantId),
      ),
    )
    .returning({ tenantId: webhooks.tenantId, webhookId: webhooks.webhookId });
}

/**
 * Outbox rows of their tenant that enabled webhooks have not handled yet (summed over the
 * webhooks), and the age in seconds of the oldest: the metrics' webhook delivery lag. Rows a
 * webhook's filter skips count until its next read moves the cursor past them.
 */
export async function webhookBacklog(
  database: Database,
): Promise<{ events: number; oldestSeconds: number }> {
  const [row] = await database.sql<{ events: string; oldest: number | null }[]>`
    select count(o.id) as events, extract(epoch from now() - min(o.created_at))::float8 as oldest
    from webhooks w join outbox o on o.tenant_id = w.tenant_id and o.id > w.cursor
    where w.enabled`;
  return { events: Number(row?.events ?? 0), oldestSeconds: row?.oldest ?? 0 };
}
