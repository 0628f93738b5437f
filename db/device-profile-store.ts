import { and, eq, sql as dsql } from 'drizzle-orm';
import type { DeviceProfile } from '../twins/profiles';
import type { Database } from './client';
import { deviceProfiles } from './schema';

export interface StoredProfile {
  readonly profile: DeviceProfile;
  readonly version: number;
}

/** Adds or replaces a tenant's profile of a model; returns its new version. */
export async function putDeviceProfile(
  database: Database,
  tenantId: string,
  profile: DeviceProfile,
): Promise<number> {
  const [row] = await database.db
    .insert(deviceProfiles)
    .values({ tenantId, model: profile.model, profile })
    .onConflictDoUpdate({
      target: [deviceProfiles.tenantId, deviceProfiles.model],
      set: { profile, version: dsql`${deviceProfiles.version} + 1`, updatedAt: new Date() },
    })
    .returning({ version: deviceProfiles.version });
  return row!.version;
}

export async function findDeviceProfile(
  database: Database,
  tenantId: string,
  model: string,
): Promise<StoredProfile | null> {
  const [row] = await database.db
    .select({ profile: deviceProfiles.profile, version: deviceProfiles.version })
    .from(deviceProfiles)
    .where(and(eq(deviceProfiles.tenantId, tenantId), eq(deviceProfiles.model, model)));
  return row ?? null;
}

export async function listDeviceProfiles(
  database: Database,
  tenantId: string,
): Promise<StoredProfile[]> {
  return database.db
    .select({ profile: deviceProfiles.profile, version: deviceProfiles.version })
    .from(deviceProfiles)
    .where(eq(deviceProfiles.tenantId, tenantId))
    .orderBy(deviceProfiles.model);
}
