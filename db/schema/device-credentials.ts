import { pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { tenantColumn, timestamps } from './columns';

/** Per-device secrets, stored only as scrypt hashes. */
export const deviceCredentials = pgTable(
  'device_credentials',
  {
    tenantId: tenantColumn(),
    deviceId: text().notNull(),
    secretHash: text().notNull(),
    /**
     * How the device logs in — one way per device (OCPP A00.FR.001/.002: one security profile
     * per station): 'secret' (a token or password: native JSON, MQTT, OCPP profiles 1–2) or
     * 'certificate' (a client certificate verified by the TLS terminator: OCPP profile 3).
     */
    login: text({ enum: ['secret', 'certificate'] })
      .notNull()
      .default('secret'),
    revokedAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.deviceId] })],
);
