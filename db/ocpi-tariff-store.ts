import { and, asc, eq } from 'drizzle-orm';
import type { Database } from './client';
import { ocpiTariffs } from './schema';

export type OcpiTariffRow = typeof ocpiTariffs.$inferSelect;

/** Sets a tariff and where it applies (replacing both). */
export async function putOcpiTariff(
  database: Database,
  tenantId: string,
  tariff: {
    tariffId: string;
    details: Record<string, unknown>;
    siteIds: string[];
    assetIds: string[];
  },
): Promise<OcpiTariffRow> {
  const [row] = await database.db
    .insert(ocpiTariffs)
    .values({ tenantId, ...tariff })
    .onConflictDoUpdate({
      target: [ocpiTariffs.tenantId, ocpiTariffs.tariffId],
      set: {
        details: tariff.details,
        siteIds: tariff.siteIds,
        assetIds: tariff.assetIds,
        updatedAt: new Date(),
      },
    })
    .returning();
  return row!;
}

export async function removeOcpiTariff(database: Database, tenantId: string, tariffId: string) {
  const gone = await database.db
    .delete(ocpiTariffs)
    .where(and(eq(ocpiTariffs.tenantId, tenantId), eq(ocpiTariffs.tariffId, tariffId)))
    .returning({ id: ocpiTariffs.tariffId });
  return gone.length > 0;
}

export function listOcpiTariffs(database: Database, tenantId: string) {
  return database.db
    .select()
    .from(ocpiTariffs)
    .where(eq(ocpiTariffs.tenantId, tenantId))
    .orderBy(asc(ocpiTariffs.tariffId));
}

/** A page of a tenant's tariffs by id, with the total, in OCPI's date window on updated_at. */
export async function pageOcpiTariffs(
  database: Database,
  tenantId: string,
  page: { offset: number; limit: number; dateFrom?: Date; dateTo?: Date },
) {
  const from = page.dateFrom?.toISOString() ?? null;
  const to = page.dateTo?.toISOString() ?? null;
  const rows = await database.sql<
    { tariff_id: string; details: Record<string, unknown>; updated_at: Date; total: string }[]
  >`
    select tariff_id, details, updated_at, count(*) over () as total from ocpi_tariffs
    where tenant_id = ${tenantId}
      and (${from}::timestamptz is null or updated_at >= ${from}::timestamptz)
      and (${to}::timestamptz is null or updated_at < ${to}::timestamptz)
    order by tariff_id offset ${page.offset} limit ${page.limit}`;
  return {
    total: Number(rows[0]?.total ?? 0),
    tariffs: rows.map((r) => ({
      tariffId: r.tariff_id,
      details: r.details,
      lastUpdated: new Date(r.updated_at),
    })),
  };
}
