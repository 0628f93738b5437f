import { and, asc, eq, gt, sql as dsql } from 'drizzle-orm';
import { reject, type Rejection } from '../twins/errors';
import type { Webhook } from '../twins/webhooks';
import type { Database } from './client';
import { latestOutboxId } from './outbox-reader';
import { outbox, webhookDeadLetters, webhooks } from './schema';

export const WEBHOOK_EXISTS = 'webhook:exists';
export const WEBHOOK_NOT_FOUND = 'webhook:not-found';

/** A webhook as the API shows it: never its secret. */
export interface StoredWebhook {
  readonly tenantId: string;
  readonly webhook: Webhook;
  /** The last outbox id handled (delivered, dead-lettered or not taken by the filter). */
  readonly cursor: number;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

type Row = typeof webhooks.$inferSelect;

const stored = (r: Row): StoredWebhook => ({
  tenantId: r.tenantId,
  webhook: {
    id: r.webhookId,
    url: r.url,
    enabled: r.enabled,
    filter: r.filter,
    maxAttempts: r.maxAttempts,
  },
  cursor: r.cursor,
  version: r.version,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

const key = (tenantId: string, webhookId: string) =>
  and(eq(webhooks.tenantId, tenantId), eq(webhooks.webhookId, webhookId));

/** Adds a webhook that receives the changes committed from now on. */
export async function createWebhook(
  database: Database,
  tenantId: string,
  webhook: Webhook,
  secret: string,
): Promise<StoredWebhook | Rejection> {
  const cursor = await latestOutboxId(database);
  const [row] = await database.db
    .insert(webhooks)
    .values({
      tenantId,
      webhookId: webhook.id,
      url: webhook.url,
      secret,
      filter: webhook.filter,
      enabled: webhook.enabled,
      maxAttempts: webhook.maxAttempts,
      cursor,
    })
    .onConflictDoNothing()
    .returning();
  return row
    ? stored(row)
    : reject(WEBHOOK_EXISTS, `webhook ${webhook.id} exists: update it or remove it first`);
}

/** Replaces a webhook's definition (its secret and cursor stay). */
export async function updateWebhook(
  database: Database,
  tenantId: string,
  webhook: Webhook,
): Promise<StoredWebhook | null> {
  const [row] = await database.db
    .update(webhooks)
    .set({
      url: webhook.url,
      filter: webhook.filter,
      enabled: webhook.enabled,
      maxAttempts: webhook.maxAttempts,
      version: dsql`${webhooks.version} + 1`,
      updatedAt: new Date(),
    })
    .where(key(tenantId, webhook.id))
    .returning();
  return row ? stored(row) : null;
}

/** Sets a new signing secret; deliveries from now on are signed with it. */
export async function setWebhookSecret(
  database: Database,
  tenantId: string,
  webhookId: string,
  secret: string,
): Promise<StoredWebhook | null> {
  const [row] = await database.db
    .update(webhooks)
    .set({ secret, version: dsql`${webhooks.version} + 1`, updatedAt: new Date() })
    .where(key(tenantId, webhookId))
    .returning();
  return row ? stored(row) : null;
}

/**
 * Puts the cursor at `cursor`: events after it are delivered again (their dead letters go, they
 * get their attempts anew), or skipped when it moves forward. An event in flight is still
 * delivered, but its workflow then reads on from here.
 */
export async function moveWebhookCursor(
  database: Database,
  tenantId: string,
  webhookId: string,
  cursor: number,
): Promise<StoredWebhook | null> {
  return database.db.transaction(async (tx) => {
    const [row] = await tx
      .update(webhooks)
      .set({ cursor, waiting: false, updatedAt: new Date() })
      .where(key(tenantId, webhookId))
      .returning();
    if (!row) return null;
    await tx
      .delete(webhookDeadLetters)
      .where(
        and(
          eq(webhookDeadLetters.tenantId, tenantId),
          eq(webhookDeadLetters.webhookId, webhookId),
          gt(webhookDeadLetters.outboxId, cursor),
        ),
      );
    return stored(row);
  });
}

/** Removes a webhook and its dead letters; false when there was none. */
export async function removeWebhook(
  database: Database,
  tenantId: string,
  webhookId: string,
): Promise<boolean> {
  return database.db.transaction(async (tx) => {
    await tx
      .delete(webhookDeadLetters)
      .where(
        and(eq(webhookDeadLetters.tenantId, tenantId), eq(webhookDeadLetters.webhookId, webhookId)),
      );
    const gone = await tx
      .delete(webhooks)
      .where(key(tenantId, webhookId))
      .returning({ id: webhooks.webhookId });
    return gone.length > 0;
  });
}

export async function findWebhook(
  database: Database,
  tenantId: string,
  webhookId: string,
): Promise<StoredWebhook | null> {
  const [row] = await database.db.select().from(webhooks).where(key(tenantId, webhookId));
  return row ? stored(row) : null;
}

export async function listWebhooks(database: Database, tenantId: string) {
  const rows = await database.db
    .select()
    .from(webhooks)
    .where(eq(webhooks.tenantId, tenantId))
    .orderBy(asc(webhooks.webhookId));
  return rows.map(stored);
}

/** Counting the lag stops here: a webhook this far behind is simply far behind. */
export const LAG_COUNT_LIMIT = 10_000;

/** The tenant's newest outbox id and how many of its events lie after `cursor` (capped). */
export async function webhookLag(database: Database, tenantId: string, cursor: number) {
  const [r] = await database.sql<{ latest: string | null; lag: string }[]>`
    select (select max(id) from outbox where tenant_id = ${tenantId}) as latest,
           (select count(*) from (
              select 1 from outbox where tenant_id = ${tenantId} and id > ${cursor}
              limit ${LAG_COUNT_LIMIT}) behind) as lag`;
  return { latest: Number(r?.latest ?? 0), lag: Number(r?.lag ?? 0) };
}

/** A page of a webhook's dead letters, oldest event first, after the outbox id `after`. */
export async function listDeadLetters(
  database: Database,
  tenantId: string,
  webhookId: string,
  page: { first: number; after: number },
) {
  const rows = await database.db
    .select({
      outboxId: webhookDeadLetters.outboxId,
      attempts: webhookDeadLetters.attempts,
      lastError: webhookDeadLetters.lastError,
      deadAt: webhookDeadLetters.deadAt,
      kind: outbox.kind,
      aggregateType: outbox.aggregateType,
      aggregateId: outbox.aggregateId,
      version: outbox.version,
    })
    .from(webhookDeadLetters)
    .innerJoin(outbox, eq(outbox.id, webhookDeadLetters.outboxId))
    .where(
      and(
        eq(webhookDeadLetters.tenantId, tenantId),
        eq(webhookDeadLetters.webhookId, webhookId),
        gt(webhookDeadLetters.outboxId, page.after),
      ),
    )
    .orderBy(asc(webhookDeadLetters.outboxId))
    .limit(page.first + 1);
  return { items: rows.slice(0, page.first), hasNextPage: rows.length > page.first };
}
