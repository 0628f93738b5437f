import { foreignKey, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tenantColumn } from './columns';
import { ocpiParties } from './ocpi-parties';

/**
 * What the Locations push last sent one eMSP of each Location (workflows/ocpi-push): the
 * Location's shape (every field but EVSE status and the `last_updated` dates, whose changes are
 * PATCHed) and the whole document, so a changed Location is PUT again, and a Location or EVSE
 * that went away is sent once more with its EVSEs `REMOVED`. A row whose Location was removed
 * and sent so is deleted.
 */
export const ocpiPushedLocations = pgTable(
  'ocpi_pushed_locations',
  {
    tenantId: tenantColumn(),
    ocpiPartyId: text().notNull(),
    /** The site (its OCPI Location id is `ocpiId(siteId)`). */
    siteId: text().notNull(),
    /** The Location as sent, as JSON without EVSE statuses and dates (twins/ocpi/location-shape.ts). */
    shape: text().notNull(),
    /** The Location document as last sent. */
    document: jsonb().$type<Record<string, unknown>>().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.ocpiPartyId, t.siteId] }),
    // A removed party's copy goes with it.
    foreignKey({
      columns: [t.tenantId, t.ocpiPartyId],
      foreignColumns: [ocpiParties.tenantId, ocpiParties.partyId],
    }).onDelete('cascade'),
  ],
);
