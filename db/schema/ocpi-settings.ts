import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { tenantColumn } from './columns';

/**
 * A tenant's settings for roaming over OCPI. `unanswered_authorization`: what a station hears
 * for an idTag no eMSP could be asked about in real time (docs/ocpi.md, "Tokens (Receiver)").
 */
export const ocpiSettings = pgTable('ocpi_settings', {
  tenantId: tenantColumn().primaryKey(),
  unansweredAuthorization: text().$type<'ACCEPT' | 'REFUSE'>().notNull().default('REFUSE'),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
