import type { Database } from './client';
import type { CustomerRow, SiteRow } from './graph-lookups';
import { customers, sites } from './schema';

// Customers and sites are plain records, not twins: they have no lifecycle of their own, so
// the API writes them directly.

/** Creates a customer; null when the tenant already has one with this id. */
export async function insertCustomer(
  database: Database,
  values: { tenantId: string; customerId: string; name: string },
): Promise<CustomerRow | null> {
  const [row] = await database.db
    .insert(customers)
    .values(values)
    .onConflictDoNothing()
    .returning();
  return row ?? null;
}

/** Creates a site of an existing customer; null when the tenant already has one with this id. */
export async function insertSite(
  database: Database,
  values: { tenantId: string; siteId: string; customerId: string; name: string; tags: string[] },
): Promise<SiteRow | null> {
  const [row] = await database.db.insert(sites).values(values).onConflictDoNothing().returning();
  return row ?? null;
}
