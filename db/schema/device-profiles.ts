import { bigint, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import type { DeviceProfile } from '../../twins/profiles';
import { tenantColumn, timestamps } from './columns';

/** Device profiles (models) as data: adding a model is a row, not a code change. */
export const deviceProfiles = pgTable(
  'device_profiles',
  {
    tenantId: tenantColumn(),
    model: text().notNull(),
    profile: jsonb().$type<DeviceProfile>().notNull(),
    /** Bumped on every change, so gateways can tell a cached profile is stale. */
    version: bigint({ mode: 'number' }).notNull().default(1),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.model] })],
);
