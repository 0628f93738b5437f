import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from './client';
import { claimTokens, deviceCredentials } from './schema';
import type { DeviceKey } from '../twins/ids';

/**
 * Finds the device a station identity names — by its credential, or by its open claim token
 * when it was provisioned with one and has not claimed it yet.
 *
 * With a tenant in the path (`/ocpp/{tenant}/{identity}`) the device must exist there. The
 * tenant-less path (`/ocpp/{identity}`) reaches the identity's *first* registration in this
 * installation: the tenant whose credential or claim for it is oldest. A tenant that registers
 * an identity another tenant already uses gets the tenant path for its station, and cannot take
 * the bare path from the station that had it (identity squatting; docs/security.md).
 */
export async function findStation(
  database: Database,
  identity: string,
  tenantId: string | null,
): Promise<DeviceKey | null> {
  const scope = (column: typeof deviceCredentials.tenantId | typeof claimTokens.tenantId) =>
    tenantId ? [eq(column, tenantId)] : [];
  const credentials = await database.db
    .select({ tenantId: deviceCredentials.tenantId, since: deviceCredentials.createdAt })
    .from(deviceCredentials)
    .where(
      and(
        eq(deviceCredentials.deviceId, identity),
        isNull(deviceCredentials.revokedAt),
        ...scope(deviceCredentials.tenantId),
      ),
    );
  // Every claim counts for its tenant's age (a claimed station's credential is newer than its
  // claim); an open one also makes a tenant a candidate before the station claimed it.
  const claims = await database.db
    .select({
      tenantId: claimTokens.tenantId,
      since: claimTokens.createdAt,
      consumedAt: claimTokens.consumedAt,
      expiresAt: claimTokens.expiresAt,
    })
    .from(claimTokens)
    .where(and(eq(claimTokens.deviceId, identity), ...scope(claimTokens.tenantId)));
  const now = Date.now();
  const open = (c: (typeof claims)[number]) => !c.consumedAt && c.expiresAt.getTime() > now;
  const since = new Map<string, number>();
  const older = (tenant: string, at: Date) =>
    since.set(tenant, Math.min(since.get(tenant) ?? Infinity, at.getTime()));
  for (const c of credentials) older(c.tenantId, c.since);
  for (const c of claims) if (open(c)) older(c.tenantId, c.since);
  for (const c of claims) if (since.has(c.tenantId)) older(c.tenantId, c.since);
  const first = [...since].sort(([ta, a], [tb, b]) => a - b || ta.localeCompare(tb))[0];
  return first ? { tenantId: first[0], deviceId: identity } : null;
}
