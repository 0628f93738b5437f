import { sql } from 'drizzle-orm';
import {
  bigint,
  foreignKey,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import type { AssetTwinState } from '../../twins/asset';
import { tenantColumn } from './columns';

// The twin graph: tenant → customer → site → asset → device. Tenants are implicit (a tenant
// id on every row); devices are `device_twins`, bound to assets over time (`asset_bindings`).

const createdAt = () => timestamp({ withTimezone: true, mode: 'string' }).notNull().defaultNow();
const tags = () =>
  text()
    .array()
    .notNull()
    .default(sql`'{}'::text[]`);

/** Whom a tenant serves: the owner of sites (a fleet operator, a hotel group). */
export const customers = pgTable(
  'customers',
  {
    tenantId: tenantColumn(),
    customerId: text().notNull(),
    name: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.customerId] })],
);

/** A place where a customer's assets stand. */
export const sites = pgTable(
  'sites',
  {
    tenantId: tenantColumn(),
    siteId: text().notNull(),
    customerId: text().notNull(),
    name: text().notNull(),
    tags: tags(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.siteId] }),
    index().on(t.tenantId, t.customerId),
    foreignKey({
      columns: [t.tenantId, t.customerId],
      foreignColumns: [customers.tenantId, customers.customerId],
    }),
  ],
);

/**
 * The read model of asset twins, kept current by their workflows (never edited directly).
 * No foreign key to sites on purpose: a projection that the database refused would stall
 * its twin, and the API checks the site before it creates an asset.
 */
export const assets = pgTable(
  'assets',
  {
    tenantId: tenantColumn(),
    assetId: text().notNull(),
    siteId: text(),
    customerId: text(),
    name: text().notNull(),
    kind: text(),
    attributes: jsonb()
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    tags: tags(),
    currentDeviceId: text(),
    health: text().notNull(),
    /** The whole twin state as the workflow holds it. */
    state: jsonb().$type<AssetTwinState>().notNull(),
    version: bigint({ mode: 'number' }).notNull(),
    createdAt: timestamp({ withTimezone: true, mode: 'string' }),
    updatedAt: timestamp({ withTimezone: true, mode: 'string' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.assetId] }),
    index().on(t.tenantId, t.siteId),
    index().on(t.tenantId, t.customerId),
    index().on(t.tenantId, t.currentDeviceId),
  ],
);

/**
 * Which device was installed in which asset, when. A row is added per binding and only ever
 * gets its `unbound_at` set, so the asset's history stays continuous across replacements.
 */
export const assetBindings = pgTable(
  'asset_bindings',
  {
    tenantId: tenantColumn(),
    assetId: text().notNull(),
    deviceId: text().notNull(),
    boundAt: timestamp({ withTimezone: true, mode: 'string' }).notNull(),
    unboundAt: timestamp({ withTimezone: true, mode: 'string' }),
    /** The asset version the binding produced: the idempotency key of the row. */
    boundVersion: bigint({ mode: 'number' }).notNull(),
    /** Who bound and unbound the device, and why (null in rows written before they were kept). */
    boundBy: text(),
    boundReason: text(),
    unboundBy: text(),
    unboundReason: text(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.assetId, t.boundVersion] }),
    index().on(t.tenantId, t.deviceId),
  ],
);
