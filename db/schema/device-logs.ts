import { bigint, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { tenantColumn } from './columns';

/*
 * Device logs and diagnostics (docs/operations.md, "Device logs and diagnostics").
 *
 * The log lines themselves live in `device_log_lines`, a table partitioned by day on the
 * gateway's receive time. drizzle cannot declare a partitioned table, so it is created by a
 * hand-written migration (0034_device-log-lines.sql) with the function that adds and drops its
 * partitions; db/device-logs.ts reads and writes it in SQL.
 */

/**
 * An operator's request for a device's log file: the one-time upload URL's token (its SHA-256,
 * never the token) and where the device's upload stands (OCPP Log/DiagnosticsStatusNotification).
 */
export const logRequests = pgTable(
  'log_requests',
  {
    id: text().primaryKey(),
    tenantId: tenantColumn(),
    deviceId: text().notNull(),
    /** The number the device's status notifications carry (OCPP 2.0.1 requestId). */
    requestNumber: integer().notNull(),
    tokenHash: text().notNull(),
    /** The time window of log the operator asked for (both optional). */
    from: timestamp({ withTimezone: true, mode: 'string' }),
    to: timestamp({ withTimezone: true, mode: 'string' }),
    expiresAt: timestamp({ withTimezone: true, mode: 'string' }).notNull(),
    /** When an upload claimed the URL: it takes one upload, ever. */
    usedAt: timestamp({ withTimezone: true, mode: 'string' }),
    /** requested | sent | the device's own status (Uploading, Uploaded, UploadFailure, …) | uploaded | upload-failed */
    status: text().notNull().default('requested'),
    statusAt: timestamp({ withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    requestedBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('log_requests_token').on(t.tokenHash),
    index('log_requests_device').on(t.tenantId, t.deviceId, t.createdAt),
  ],
);

/** A file a device uploaded (a diagnostics archive); its bytes are in the FileStore under `storeKey`. */
export const logUploads = pgTable(
  'log_uploads',
  {
    id: text().primaryKey(),
    tenantId: tenantColumn(),
    deviceId: text().notNull(),
    requestId: text().notNull(),
    /** The file name the device gave (multipart filename), else one made from the request. */
    name: text().notNull(),
    contentType: text().notNull(),
    size: bigint({ mode: 'number' }).notNull(),
    sha256: text().notNull(),
    storeKey: text().notNull(),
    uploadedAt: timestamp({ withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('log_uploads_request').on(t.requestId),
    index('log_uploads_device').on(t.tenantId, t.deviceId, t.uploadedAt),
  ],
);
