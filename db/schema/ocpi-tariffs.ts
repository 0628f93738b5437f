import { sql } from 'drizzle-orm';
import { jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { tenantColumn } from './columns';

/**
 * A tenant's tariffs as OCPI 2.2.1 Tariff objects (currency, elements, AFIR's alternative text
 * and URL, …), attached to Locations (sites) and EVSEs (assets): an EVSE's connectors carry the
 * tariffs attached to its asset, else those attached to its site.
 */
export const ocpiTariffs = pgTable(
  'ocpi_tariffs',
  {
    tenantId: tenantColumn(),
    tariffId: text().notNull(),
    details: jsonb().$type<Record<string, unknown>>().notNull(),
    siteIds: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    assetIds: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.tariffId] })],
);
