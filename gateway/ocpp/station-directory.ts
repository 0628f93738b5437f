import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { claimTokens, deviceCredentials } from '../../db/schema';
import type { DeviceKey } from '../../twins/ids';

/**
 * Finds the device a station identity names — by its credential, or by its open claim
 * token when it was provisioned with one and has not claimed it yet. With a tenant from the
 * URL it must exist there; without one the identity must name exactly one device across all tenants (an
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
  if (rows.length === 1) return { tenantId: rows[0]!.tenantId, deviceId: identity };
  if (rows.length > 1) return null;
  // Provisioned with a claim token and not claimed yet: no credential, an open claim.
  const claims = await database.db
    .select({ tenantId: claimTokens.tenantId })
    .from(claimTokens)
    .where(
      and(
        eq(claimTokens.deviceId, identity),
        isNull(claimTokens.consumedAt),
        gt(claimTokens.expiresAt, new Date()),
        ...(tenantId ? [eq(claimTokens.tenantId, tenantId)] : []),
      ),
    )
    .limit(2);
  return claims.length === 1 ? { tenantId: claims[0]!.tenantId, deviceId: identity } : null;
}
