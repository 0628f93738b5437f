import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { deviceCredentials } from '../../db/schema';
import type { DeviceKey } from '../../twins/ids';

/**
 * Finds the device a station identity names. With a tenant from the URL it must exist
 * there; without one the identity must name exactly one device across all tenants (an
 * identity that two tenants use is ambiguous and refused like an unknown one).
 */
export async function findStation(
  database: Database,
  identity: string,
  tenantId: string | null,
): Promise<DeviceKey | null> {
  const rows = await database.db
    .select({ tenantId: deviceCredentials.tenantId })
    .from(deviceCredentials)
    .where(
      and(
        eq(deviceCredentials.deviceId, identity),
        isNull(deviceCredentials.revokedAt),
        ...(tenantId ? [eq(deviceCredentials.tenantId, tenantId)] : []),
      ),
    )
    .limit(2);
  return rows.length === 1 ? { tenantId: rows[0]!.tenantId, deviceId: identity } : null;
}
