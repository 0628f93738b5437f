import { pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { tenantColumn } from './columns';

/**
 * The meter public key registered for a charging station at commissioning (OCMF, Eichrecht):
 * the key its signed meter values are checked against on arrival, never one a message carries.
 * One per station; a rotation replaces it (the audit trail keeps who changed it from what).
 */
export const meterPublicKeys = pgTable(
  'meter_public_keys',
  {
    tenantId: tenantColumn(),
    deviceId: text().notNull(),
    /** Hex-encoded DER SubjectPublicKeyInfo, upper case. */
    publicKey: text().notNull(),
    /** `secp256r1`, `brainpool256r1`, … (read from the key). */
    curve: text().notNull(),
    /** The OCMF signature algorithm of the curve, e.g. `ECDSA-secp256r1-SHA256`. */
    signingMethod: text().notNull(),
    registeredBy: text().notNull(),
    registeredAt: timestamp({ withTimezone: true, mode: 'string' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.deviceId] })],
);
