import { foreignKey, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { tenantColumn, timestamps } from './columns';
import { ocpiParties } from './ocpi-parties';

/**
 * Reservations eMSPs made with RESERVE_NOW. OCPI names them by the party's string id, OCPP by an
 * integer: `id` is that integer, one per (tenant, party, reservation id), so a repeated
 * RESERVE_NOW sends the same id (the station replaces its reservation, as both sides' specs
 * say) and CANCEL_RESERVATION finds it. Kept until it expires; gone with its party.
 */
export const ocpiReservations = pgTable(
  'ocpi_reservations',
  {
    /** The OCPP reservationId (1.6) / id (2.0.1). */
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    tenantId: tenantColumn(),
    ocpiPartyId: text().notNull(),
    /** The party's reservation id, lower-cased (OCPI CiString). */
    reservationId: text().notNull(),
    /** The station the reservation was sent to. */
    deviceId: text().notNull(),
    expiresAt: timestamp({ withTimezone: true, mode: 'string' }).notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('ocpi_reservations_party_id').on(t.tenantId, t.ocpiPartyId, t.reservationId),
    foreignKey({
      columns: [t.tenantId, t.ocpiPartyId],
      foreignColumns: [ocpiParties.tenantId, ocpiParties.partyId],
    }).onDelete('cascade'),
  ],
);
