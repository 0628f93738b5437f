import { bigint, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import type { Backend } from '../../twins/routing';
import { tenantColumn, timestamps } from './columns';

/**
 * Backends as data (DESIGN.md decision 6): upstream OCPP CSMSs and webhooks a tenant's device
 * traffic is routed to. The definition never holds the secret; gateways read both.
 */
export const backends = pgTable(
  'backends',
  {
    tenantId: tenantColumn(),
    backendId: text().notNull(),
    definition: jsonb().$type<Omit<Backend, 'secret'>>().notNull(),
    /** HMAC key (webhook) or upstream Basic-auth password (OCPP); never read back through the API. */
    secret: text(),
    version: bigint({ mode: 'number' }).notNull().default(1),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.backendId] })],
);
