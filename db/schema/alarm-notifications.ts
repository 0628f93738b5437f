import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { NotificationChannel } from '../../twins/alarms/notification-channel';
import { tenantColumn } from './columns';

const at = () => timestamp({ withTimezone: true, mode: 'string' });

/**
 * How many transitions each alarm has had: the outbox version of its next event (aggregate
 * type `alarm`, docs/alarms.md "Notifications"). Kept apart from the outbox, whose rows are
 * pruned, so a version is never reused.
 */
export const alarmEventVersions = pgTable(
  'alarm_event_versions',
  {
    tenantId: tenantColumn(),
    alarmId: bigint({ mode: 'number' }).notNull(),
    version: bigint({ mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.alarmId] })],
);

/** A tenant's notification channels (webhook or e-mail), versioned like alarm rules. */
export const notificationChannels = pgTable(
  'notification_channels',
  {
    tenantId: tenantColumn(),
    channelId: text().notNull(),
    version: bigint({ mode: 'number' }).notNull(),
    definition: jsonb().$type<NotificationChannel>().notNull(),
    /** A webhook channel's signing key (Standard Webhooks, whsec_…); null for e-mail. */
    secret: text(),
    /** Digest mode: when the last digest was cut (the next is due a period later). */
    digestAt: at(),
    deleted: boolean().notNull().default(false),
    updatedBy: text().notNull(),
    createdAt: at().notNull(),
    updatedAt: at().notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.channelId] })],
);

/**
 * One notification per (channel, alarm, transition): the unique key is the de-duplication.
 * `transition` is `v<version>` (the alarm event of that version) or `reminder:<n>`.
 * status: held (waiting for its digest), pending (to send), sent, failed (gave up).
 * Rows of one digest share `digestKey` and are sent as one message.
 */
export const alarmNotifications = pgTable(
  'alarm_notifications',
  {
    notificationId: bigserial({ mode: 'number' }).primaryKey(),
    tenantId: tenantColumn(),
    channelId: text().notNull(),
    alarmId: bigint({ mode: 'number' }).notNull(),
    transition: text().notNull(),
    event: jsonb().$type<Record<string, unknown>>().notNull(),
    status: text().notNull(),
    digestKey: bigint({ mode: 'number' }),
    attempts: integer().notNull().default(0),
    /** When it may be tried next; a claim pushes it past the attempt's time-out (a lease). */
    nextAttemptAt: at().notNull(),
    lastError: text(),
    createdAt: at().notNull(),
    sentAt: at(),
  },
  (t) => [
    uniqueIndex('alarm_notifications_once').on(t.tenantId, t.channelId, t.alarmId, t.transition),
    index('alarm_notifications_due').on(t.status, t.nextAttemptAt),
  ],
);

/** How far the router has read the outbox's alarm events (one row). */
export const alarmNotificationCursor = pgTable('alarm_notification_cursor', {
  id: smallint().primaryKey().default(1),
  outboxId: bigint({ mode: 'number' }).notNull(),
});
