import { and, asc, eq, sql } from 'drizzle-orm';
import { DoppelError } from '../twins/errors';
import type { NotificationChannel } from '../twins/alarms/notification-channel';
import type { Database } from './client';
import { writeAudit } from './audit-writer';
import { notificationChannels } from './schema';

export interface StoredChannel {
  readonly channelId: string;
  readonly version: number;
  readonly channel: NotificationChannel;
  readonly updatedBy: string;
  readonly updatedAt: string;
}

export interface ChannelChange {
  readonly tenantId: string;
  readonly channelId: string;
  readonly actor: string;
  readonly role: string;
}

const stored = (row: typeof notificationChannels.$inferSelect): StoredChannel => ({
  channelId: row.channelId,
  version: row.version,
  channel: row.definition,
  updatedBy: row.updatedBy,
  updatedAt: row.updatedAt,
});

const key = (tenantId: string, channelId: string) =>
  and(eq(notificationChannels.tenantId, tenantId), eq(notificationChannels.channelId, channelId));

const audit = (change: ChannelChange, operation: string, after: unknown, at: string) => ({
  tenantId: change.tenantId,
  actor: change.actor,
  role: change.role,
  operation,
  subject: `notification-channel:${change.channelId}`,
  // Never the secret: it is not part of the definition.
  input: { channelId: change.channelId },
  outcome: 'ok' as const,
  after,
  at,
});

/** Creates a channel at version 1 (`notification-channel.exists` when the id is taken). */
export async function createChannel(
  database: Database,
  change: ChannelChange,
  channel: NotificationChannel,
  secret: string | null,
): Promise<StoredChannel> {
  const at = new Date().toISOString();
  return database.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(notificationChannels)
      .values({
        tenantId: change.tenantId,
        channelId: change.channelId,
        version: 1,
        definition: channel,
        secret,
        updatedBy: change.actor,
        createdAt: at,
        updatedAt: at,
      })
      .onConflictDoNothing()
      .returning();
    if (!row)
      throw new DoppelError(
        'notification-channel.exists',
        `a notification channel ${change.channelId} exists already`,
        { hint: 'update it (with its version) or choose another id' },
      );
    await writeAudit(tx, [audit(change, 'createNotificationChannel', channel, at)]);
    return stored(row);
  });
}

/**
 * Replaces a channel's definition (null: removes it) if it is still at `version`. A webhook
 * channel keeps its secret; a channel changed to a webhook gets `secret`.
 */
export async function changeChannel(
  database: Database,
  change: ChannelChange,
  version: number,
  channel: NotificationChannel | null,
  secret: string | null,
): Promise<{ stored: StoredChannel | null; version: number; secret: string | null }> {
  const at = new Date().toISOString();
  return database.db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(notificationChannels)
      .where(key(change.tenantId, change.channelId))
      .for('update');
    if (!current || current.deleted)
      throw new DoppelError(
        'notification-channel.unknown',
        `no notification channel ${change.channelId}`,
      );
    if (current.version !== version)
      throw new DoppelError(
        'notification-channel.version-conflict',
        `notification channel ${change.channelId} is at version ${current.version}, not ${version}`,
        { hint: 'read the channel again and apply your change to it' },
      );
    const newSecret =
      channel?.kind === 'webhook' ? (current.secret ?? secret) : channel ? null : current.secret;
    const [row] = await tx
      .update(notificationChannels)
      .set({
        version: version + 1,
        ...(channel ? { definition: channel } : { deleted: true }),
        secret: newSecret,
        updatedBy: change.actor,
        updatedAt: at,
      })
      .where(key(change.tenantId, change.channelId))
      .returning();
    if (!channel)
      // What was waiting for it goes nowhere now.
      await tx.execute(sql`
        update alarm_notifications set status = 'failed', last_error = 'channel removed'
        where tenant_id = ${change.tenantId} and channel_id = ${change.channelId}
          and status in ('held', 'pending')`);
    await writeAudit(tx, [
      audit(
        change,
        channel ? 'updateNotificationChannel' : 'deleteNotificationChannel',
        channel,
        at,
      ),
    ]);
    return {
      stored: channel ? stored(row!) : null,
      version: version + 1,
      secret: channel?.kind === 'webhook' && !current.secret ? newSecret : null,
    };
  });
}

export async function listChannels(database: Database, tenantId: string): Promise<StoredChannel[]> {
  const rows = await database.db
    .select()
    .from(notificationChannels)
    .where(
      and(eq(notificationChannels.tenantId, tenantId), eq(notificationChannels.deleted, false)),
    )
    .orderBy(asc(notificationChannels.channelId));
  return rows.map(stored);
}

export async function findChannel(
  database: Database,
  tenantId: string,
  channelId: string,
): Promise<StoredChannel | null> {
  const [row] = await database.db
    .select()
    .from(notificationChannels)
    .where(and(key(tenantId, channelId), eq(notificationChannels.deleted, false)));
  return row ? stored(row) : null;
}
