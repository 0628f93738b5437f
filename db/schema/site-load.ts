import {
  bigint,
  doublePrecision,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import type { LoadPolicy } from '../../twins/smart-charging';
import { tenantColumn } from './columns';

/**
 * Sites with a power limit and load management (docs/smart-charging.md): what the operator
 * set, read by the API. A row here is also what makes the ingest path tell the site's load
 * manager about its sessions (site_load_notices).
 */
export const siteLoadLimits = pgTable(
  'site_load_limits',
  {
    tenantId: tenantColumn(),
    siteId: text().notNull(),
    /** `W`, or `A` per phase. */
    unit: text().notNull(),
    value: doublePrecision().notNull(),
    phases: integer(),
    policy: jsonb().$type<LoadPolicy>().notNull(),
    releaseDelayMs: integer().notNull(),
    updatedBy: text().notNull(),
    updatedAt: timestamp({ withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.siteId] })],
);

/**
 * Sites whose load manager must look again: at most one row per site, written in the
 * transaction of a session's start or stop or a station's connect or disconnect, deleted once
 * Temporal accepted the signal (workflows/worker/site-load-drainer.ts). `seq` grows with every
 * write, so a write that lands while the signal is in flight keeps its row.
 */
export const siteLoadNotices = pgTable(
  'site_load_notices',
  {
    tenantId: tenantColumn(),
    siteId: text().notNull(),
    seq: bigint({ mode: 'number' }).notNull().default(1),
    since: timestamp({ withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.siteId] })],
);
