import { pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { tenantColumn, timestamps } from './columns';

/** Per-device secrets, stored only as scrypt hashes. */
export const deviceCredentials = pgTable(
  'device_credentials',
  {
    tenantId: tenantColumn(),
    deviceId: text().notNull(),
    secretHash: text().notNull(),
    revokedAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.deviceId] })],
);
