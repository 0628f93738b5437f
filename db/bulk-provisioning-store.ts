import { and, asc, eq, gt, inArray, sql, type SQL } from 'drizzle-orm';
import type { ProvisionRequest } from '../twins/provisioning/request';
import type { Database } from './client';
import { bulkProvisioningRows, bulkProvisionings, deviceProvisioning, deviceTwins } from './schema';

/**
 * What became of a row: registered in a batch (its record written, no workflow), started (its
 * own provisioning workflow: activation expectations, an asset, an admission hook), or not,
 * and why.
 */
export type BulkRowStatus =
  | 'pending'
  | 'registered'
  | 'started'
  | 'already-registered'
  | 'already-provisioned'
  | 'refused'
  | 'failed';

export interface BulkKey {
  readonly tenantId: string;
  readonly bulkId: string;
}

export interface BulkRowRecord {
  position: number;
  line: number;
  serial: string;
  method: 'credentials' | 'claim';
  request: Omit<ProvisionRequest, 'claimToken'>;
  /** The identity's hash while the row waits; none for a row refused up front. */
  secretHash: string | null;
  status: BulkRowStatus;
  reason: string | null;
}

const INSERT_CHUNK = 1_000;
const ofBulk = (key: BulkKey) =>
  and(eq(bulkProvisioningRows.tenantId, key.tenantId), eq(bulkProvisioningRows.bulkId, key.bulkId));

/**
 * Serials of the tenant that were provisioned or registered before, with what they are now:
 * a bulk refuses them up front instead of issuing a secret that could never be used.
 */
export async function knownSerials(
  database: Database,
  tenantId: string,
  serials: string[],
): Promise<Map<string, string>> {
  const p = deviceProvisioning;
  const t = deviceTwins;
  const [provisioned, registered] = await Promise.all([
    database.db
      .select({ serial: p.deviceId, status: p.status })
      .from(p)
      .where(and(eq(p.tenantId, tenantId), inArray(p.deviceId, serials))),
    database.db
      .select({ serial: t.deviceId, lifecycle: t.lifecycle })
      .from(t)
      .where(and(eq(t.tenantId, tenantId), inArray(t.deviceId, serials))),
  ]);
  const known = new Map<string, string>();
  for (const r of registered)
    known.set(r.serial, `device ${r.serial} is already registered (${r.lifecycle})`);
  for (const r of provisioned)
    known.set(r.serial, `${r.serial} was provisioned before (${r.status})`);
  return known;
}

/** A bulk and its rows, in one transaction (the rows in chunks: 10,000 fit). */
export async function createBulk(
  database: Database,
  bulk: BulkKey & { workflowId: string; createdBy: string },
  rows: BulkRowRecord[],
): Promise<void> {
  await database.db.transaction(async (tx) => {
    await tx
      .insert(bulkProvisionings)
      .values({ ...bulk, status: 'submitting', total: rows.length });
    for (let i = 0; i < rows.length; i += INSERT_CHUNK)
      await tx
        .insert(bulkProvisioningRows)
        .values(rows.slice(i, i + INSERT_CHUNK).map((r) => ({ ...bulk, ...r })));
  });
}

export async function findBulk(database: Database, key: BulkKey) {
  const [row] = await database.db
    .select()
    .from(bulkProvisionings)
    .where(
      and(eq(bulkProvisionings.tenantId, key.tenantId), eq(bulkProvisionings.bulkId, key.bulkId)),
    );
  return row ?? null;
}

/** The next rows still to submit, after a position, in file order. */
export async function pendingBulkRows(
  database: Database,
  key: BulkKey,
  after: number,
  limit: number,
) {
  return database.db
    .select({
      position: bulkProvisioningRows.position,
      serial: bulkProvisioningRows.serial,
      request: bulkProvisioningRows.request,
      secretHash: bulkProvisioningRows.secretHash,
    })
    .from(bulkProvisioningRows)
    .where(
      and(
        ofBulk(key),
        eq(bulkProvisioningRows.status, 'pending'),
        gt(bulkProvisioningRows.position, after),
      ),
    )
    .orderBy(asc(bulkProvisioningRows.position))
    .limit(limit);
}

/** A row's outcome; its hash is no longer needed here once it was submitted. */
export async function recordBulkRow(
  database: Database,
  key: BulkKey & { position: number },
  outcome: { status: Exclude<BulkRowStatus, 'pending'>; reason: string | null },
): Promise<void> {
  await database.db
    .update(bulkProvisioningRows)
    .set({ ...outcome, secretHash: null, updatedAt: new Date() })
    .where(and(ofBulk(key), eq(bulkProvisioningRows.position, key.position)));
}

export async function finishBulk(database: Database, key: BulkKey): Promise<void> {
  await database.db
    .update(bulkProvisionings)
    .set({ status: 'submitted', updatedAt: new Date() })
    .where(
      and(eq(bulkProvisionings.tenantId, key.tenantId), eq(bulkProvisionings.bulkId, key.bulkId)),
    );
}

/** The provisioning of a started row (another one's for an already-provisioned serial is not ours). */
const provisioningOfRow = and(
  eq(bulkProvisioningRows.status, 'started'),
  eq(deviceProvisioning.tenantId, bulkProvisioningRows.tenantId),
  eq(deviceProvisioning.deviceId, bulkProvisioningRows.serial),
);

/** The record of a registered row (its provisioning status follows its lifecycle). */
const recordOfRow = and(
  eq(bulkProvisioningRows.status, 'registered'),
  eq(deviceTwins.tenantId, bulkProvisioningRows.tenantId),
  eq(deviceTwins.deviceId, bulkProvisioningRows.serial),
);

/**
 * A row's provisioning status: its workflow's (a started row that has not recorded a step yet
 * is `admitting`), or for a registered row its record's — `awaiting-activation` while the
 * device is `provisioned` (it never connected), `active` once it left that state.
 */
const provisioningStatusOfRow: SQL<string | null> = sql`case
  when ${bulkProvisioningRows.status} = 'started' then coalesce(${deviceProvisioning.status}, 'admitting')
  when ${bulkProvisioningRows.status} = 'registered' then
    case when ${deviceTwins.lifecycle} = 'provisioned' then 'awaiting-activation' else 'active' end
  end`;
const provisioningReasonOfRow: SQL<string | null> = sql`case
  when ${bulkProvisioningRows.status} = 'started' then ${deviceProvisioning.reason}
  when ${bulkProvisioningRows.status} = 'registered' and ${deviceTwins.lifecycle} = 'provisioned'
    then 'the device never connected'
  end`;

/** Rows this bulk started whose provisioning has not got past admission (twin, identity) yet. */
export async function rowsInAdmission(database: Database, key: BulkKey): Promise<number> {
  const [row] = await database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(bulkProvisioningRows)
    .leftJoin(deviceProvisioning, provisioningOfRow)
    .where(
      and(
        ofBulk(key),
        eq(bulkProvisioningRows.status, 'started'),
        sql`coalesce(${deviceProvisioning.status}, 'admitting') = 'admitting'`,
      ),
    );
  return row?.n ?? 0;
}

/**
 * Rows by what became of them and, for the started ones, by their provisioning's status
 * (a started row whose provisioning has not recorded a step yet counts as `admitting`).
 */
export async function bulkCounts(database: Database, key: BulkKey) {
  const rows = await database.db
    .select({
      status: bulkProvisioningRows.status,
      provisioning: provisioningStatusOfRow,
      n: sql<number>`count(*)::int`,
    })
    .from(bulkProvisioningRows)
    .leftJoin(deviceProvisioning, provisioningOfRow)
    .leftJoin(deviceTwins, recordOfRow)
    .where(ofBulk(key))
    .groupBy(bulkProvisioningRows.status, sql`2`);
  const rowCounts: Record<BulkRowStatus, number> = {
    pending: 0,
    registered: 0,
    started: 0,
    'already-registered': 0,
    'already-provisioned': 0,
    refused: 0,
    failed: 0,
  };
  const provisioning: Record<string, number> = {
    admitting: 0,
    refused: 0,
    'awaiting-activation': 0,
    active: 0,
    failed: 0,
  };
  for (const r of rows) {
    rowCounts[r.status as BulkRowStatus] += r.n;
    if (r.provisioning) provisioning[r.provisioning] = (provisioning[r.provisioning] ?? 0) + r.n;
  }
  return { rows: rowCounts, provisioning };
}

/** A page of a bulk's rows in file order, with the provisioning status of the started and registered ones. */
export async function listBulkRows(
  database: Database,
  key: BulkKey,
  page: { first: number; after: number; status?: BulkRowStatus; provisioningStatus?: string },
) {
  return database.db
    .select({
      position: bulkProvisioningRows.position,
      line: bulkProvisioningRows.line,
      serial: bulkProvisioningRows.serial,
      method: bulkProvisioningRows.method,
      status: bulkProvisioningRows.status,
      reason: bulkProvisioningRows.reason,
      provisioningStatus: provisioningStatusOfRow,
      provisioningReason: provisioningReasonOfRow,
    })
    .from(bulkProvisioningRows)
    .leftJoin(deviceProvisioning, provisioningOfRow)
    .leftJoin(deviceTwins, recordOfRow)
    .where(
      and(
        ofBulk(key),
        gt(bulkProvisioningRows.position, page.after),
        page.status ? eq(bulkProvisioningRows.status, page.status) : undefined,
        page.provisioningStatus
          ? sql`${provisioningStatusOfRow} = ${page.provisioningStatus}`
          : undefined,
      ),
    )
    .orderBy(asc(bulkProvisioningRows.position))
    .limit(page.first);
}
