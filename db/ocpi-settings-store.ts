import { eq } from 'drizzle-orm';
import type { Database } from './client';
import { ocpiSettings } from './schema';

export type UnansweredAuthorization = 'ACCEPT' | 'REFUSE';

/** A tenant's OCPI settings; a tenant that set none has the defaults (`updatedAt` null). */
export async function findOcpiSettings(database: Database, tenantId: string) {
  const [row] = await database.db
    .select()
    .from(ocpiSettings)
    .where(eq(ocpiSettings.tenantId, tenantId));
  return {
    unansweredAuthorization: (row?.unansweredAuthorization ?? 'REFUSE') as UnansweredAuthorization,
    updatedAt: row?.updatedAt ?? null,
  };
}

export async function setOcpiSettings(
  database: Database,
  tenantId: string,
  settings: { unansweredAuthorization: UnansweredAuthorization },
) {
  const [row] = await database.db
    .insert(ocpiSettings)
    .values({ tenantId, ...settings })
    .onConflictDoUpdate({
      target: ocpiSettings.tenantId,
      set: { ...settings, updatedAt: new Date() },
    })
    .returning();
  return { unansweredAuthorization: row!.unansweredAuthorization, updatedAt: row!.updatedAt };
}
