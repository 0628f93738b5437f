import { boolean, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { tenantColumn } from './columns';

/**
 * What OCPI needs of a site that the twin graph does not hold: address, coordinates, time
 * zone and the optional AFIR fields (opening times, energy mix, …), as OCPI's Location
 * spells them. A site with a row here is an OCPI Location; its EVSEs come from its assets.
 */
export const ocpiLocations = pgTable(
  'ocpi_locations',
  {
    tenantId: tenantColumn(),
    siteId: text().notNull(),
    /** OCPI Location fields (address, city, country, coordinates, time_zone, …). */
    details: jsonb().$type<Record<string, unknown>>().notNull(),
    publish: boolean().notNull().default(true),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.siteId] })],
);
