import {
  foreignKey,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { tenantColumn } from './columns';
import { ocpiParties } from './ocpi-parties';

/**
 * An eMSP's real-time `ALLOWED` for an idTag a station presented (POST …/authorize): which
 * party allowed it on which station, when (Doppel's clock), its Token and
 * `authorization_reference`. A charging session the station opens with that idTag soon after
 * belongs to that eMSP and carries the reference (db/ocpi-session-party.ts).
 */
export const ocpiRealtimeAuthorizations = pgTable(
  'ocpi_realtime_authorizations',
  {
    tenantId: tenantColumn(),
    id: uuid().notNull().defaultRandom(),
    partyId: text().notNull(),
    deviceId: text().notNull(),
    /** The idTag (1.6) or idToken (2.0.1) as the station presented it. */
    idTag: text().notNull(),
    /** The AuthorizationInfo's Token object (the eMSP's complete Token). */
    token: jsonb().$type<Record<string, unknown>>().notNull(),
    authorizationReference: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index().on(t.tenantId, t.deviceId, t.idTag, t.createdAt),
    // A removed party allowed nothing any more.
    foreignKey({
      columns: [t.tenantId, t.partyId],
      foreignColumns: [ocpiParties.tenantId, ocpiParties.partyId],
    }).onDelete('cascade'),
  ],
);
