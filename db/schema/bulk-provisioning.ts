import { index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import type { ProvisionRequest } from '../../twins/provisioning/request';
import { tenantColumn, timestamps } from './columns';

/** A bulk provisioning from a file: its workflow, size and whether every row was submitted. */
export const bulkProvisionings = pgTable(
  'bulk_provisionings',
  {
    tenantId: tenantColumn(),
    bulkId: text().notNull(),
    workflowId: text().notNull(),
    /** `submitting` until every row went to its provisioning workflow, then `submitted`. */
    status: text().notNull(),
    total: integer().notNull(),
    createdBy: text().notNull(),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.bulkId] })],
);

/**
 * One row per line of the file, in file order (`position`): what became of it — `pending`,
 * `started`, `already-provisioned`, `refused` (up front), `failed` — and why. The identity's
 * hash waits here until the row is submitted, then is cleared (it lives on in the device's
 * credentials); a plaintext secret is never stored.
 */
export const bulkProvisioningRows = pgTable(
  'bulk_provisioning_rows',
  {
    tenantId: tenantColumn(),
    bulkId: text().notNull(),
    position: integer().notNull(),
    /** Where the row is in the file: the CSV line, or the JSON array item (1-based). */
    line: integer().notNull(),
    serial: text().notNull(),
    method: text().notNull(),
    request: jsonb().$type<Omit<ProvisionRequest, 'claimToken'>>().notNull(),
    secretHash: text(),
    status: text().notNull(),
    reason: text(),
    ...timestamps,
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.bulkId, t.position] }),
    index().on(t.tenantId, t.bulkId, t.status, t.position),
  ],
);
