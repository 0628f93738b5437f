import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { OperationConfig } from '../../twins/rollout/config';
import { tenantColumn, timestamps } from './columns';

/** OTA rollouts: the definition and the progress the rollout workflow keeps current. */
export const rollouts = pgTable(
  'rollouts',
  {
    tenantId: tenantColumn(),
    rolloutId: text().notNull(),
    workflowId: text().notNull(),
    config: jsonb().$type<OperationConfig>().notNull(),
    status: text().notNull(),
    reason: text(),
    createdBy: text().notNull(),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.rolloutId] })],
);

/**
 * One row per target device of a rollout, in rollout order (`position`): its status
 * (pending, skipped, commanded, succeeded, failed, aborted), attempts and the detail an
 * operator reads (why skipped, why failed).
 */
export const rolloutDevices = pgTable(
  'rollout_devices',
  {
    tenantId: tenantColumn(),
    rolloutId: text().notNull(),
    deviceId: text().notNull(),
    position: integer().notNull(),
    status: text().notNull(),
    attempts: integer().notNull().default(0),
    detail: text(),
    commandedAt: timestamp({ withTimezone: true, mode: 'string' }),
    /** The device's connection when commanded (a reboot into the new version opens another). */
    sessionAtCommand: text(),
    finishedAt: timestamp({ withTimezone: true, mode: 'string' }),
    /**
     * The device's answer to this attempt's command, as the gateway recorded it (bulk
     * delivery): null while not yet handed to the device, `handed` while awaited, then
     * `accepted`, `rejected`, `failed` or `timeout`.
     */
    answer: text(),
    /** What the device answered with (a bulk command's result), as the gateway recorded it. */
    result: jsonb().$type<Record<string, unknown>>(),
    ...timestamps,
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.rolloutId, t.deviceId] }),
    index().on(t.tenantId, t.rolloutId, t.position),
  ],
);
