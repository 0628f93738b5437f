import { and, eq, sql as dsql } from 'drizzle-orm';
import { reject, type Rejection } from '../twins/errors';
import {
  BACKEND_INVALID,
  BACKEND_PRIMARY_CONFLICT,
  conflictingPrimaries,
  type Backend,
} from '../twins/routing';
import type { Database } from './client';
import type { Tx } from './device-projection';
import { backends, ocpiParties } from './schema';

/** NOTIFY channel telling gateways that a tenant's backends changed (payload: the tenant id). */
export const BACKENDS_CHANNEL = 'doppel_backends';
export const BACKEND_EXISTS = 'routing:backend.exists';
export const BACKEND_UNKNOWN = 'routing:backend.unknown';

export interface StoredBackend {
  /** The definition with its secret (gateways need it; the API never shows it). */
  readonly backend: Backend;
  readonly version: number;
  readonly updatedAt: Date;
}

type Row = typeof backends.$inferSelect;

const stored = (row: Row): StoredBackend => ({
  backend: { ...row.definition, ...(row.secret !== null ? { secret: row.secret } : {}) } as Backend,
  version: row.version,
  updatedAt: row.updatedAt,
});

/**
 * Adds (`create`) or replaces (`update`) a tenant's backend. Serialised per tenant, so two
 * primaries for one station can never be saved side by side; gateways hear of the change in
 * the same transaction (NOTIFY), so no restart is needed. On update, a definition without a
 * secret keeps the stored one.
 */
export async function saveBackend(
  database: Database,
  tenantId: string,
  backend: Backend,
  mode: 'create' | 'update',
): Promise<StoredBackend | Rejection> {
  return database.db.transaction(async (tx) => {
    await tx.execute(dsql`select pg_advisory_xact_lock(hashtext(${`backends:${tenantId}`}))`);
    const rows = await tx.select().from(backends).where(eq(backends.tenantId, tenantId));
    const existing = rows.find((r) => r.backendId === backend.id);
    if (mode === 'create' && existing)
      return reject(BACKEND_EXISTS, `backend ${backend.id} exists: update it instead`);
    if (mode === 'update' && !existing)
      return reject(BACKEND_UNKNOWN, `no backend ${backend.id} in tenant ${tenantId}`);
    if (backend.kind === 'ocpi') {
      // Checked here, in the tenant's lock: the party is data of the same tenant.
      const [party] = await tx
        .select({ id: ocpiParties.partyId })
        .from(ocpiParties)
        .where(
          and(eq(ocpiParties.tenantId, tenantId), eq(ocpiParties.partyId, backend.ocpiPartyId)),
        );
      if (!party)
        return reject(
          BACKEND_INVALID,
          `invalid backend:\n✖ no OCPI party ${backend.ocpiPartyId} in tenant ${tenantId}\n  → at ocpiPartyId`,
        );
    }
    const others = rows.filter((r) => r.backendId !== backend.id).map((r) => stored(r).backend);
    const conflicts = conflictingPrimaries(backend, others);
    if (conflicts.length > 0)
      return reject(
        BACKEND_PRIMARY_CONFLICT,
        `a station has one primary backend: ${conflicts.map((b) => b.id).join(', ')} ` +
          'may take the same stations; narrow the matches or make one secondary',
      );
    const { secret, ...definition } = backend;
    const keptSecret = secret ?? existing?.secret ?? null;
    const [row] = existing
      ? await tx
          .update(backends)
          .set({
            definition,
            secret: keptSecret,
            version: dsql`${backends.version} + 1`,
            updatedAt: new Date(),
          })
          .where(and(eq(backends.tenantId, tenantId), eq(backends.backendId, backend.id)))
          .returning()
      : await tx
          .insert(backends)
          .values({ tenantId, backendId: backend.id, definition, secret: keptSecret })
          .returning();
    await tx.execute(dsql`select pg_notify(${BACKENDS_CHANNEL}, ${tenantId})`);
    return stored(row!);
  });
}

/** Removes a backend; false when there was none. Gateways close its links at once. */
export async function removeBackend(
  database: Database,
  tenantId: string,
  backendId: string,
): Promise<boolean> {
  return database.db.transaction(async (tx) => {
    const removed = await tx
      .delete(backends)
      .where(and(eq(backends.tenantId, tenantId), eq(backends.backendId, backendId)))
      .returning({ id: backends.backendId });
    if (removed.length > 0)
      await tx.execute(dsql`select pg_notify(${BACKENDS_CHANNEL}, ${tenantId})`);
    return removed.length > 0;
  });
}

/**
 * Removes the OCPI backends that name a party, in the transaction that removes the party: a
 * party registered later under the same id starts seeing the whole tenant, not what its
 * predecessor was narrowed to.
 */
export async function removeOcpiPartyBackends(tx: Tx, tenantId: string, partyId: string) {
  const removed = await tx
    .delete(backends)
    .where(
      and(
        eq(backends.tenantId, tenantId),
        dsql`${backends.definition} ->> 'kind' = 'ocpi'`,
        dsql`${backends.definition} ->> 'ocpiPartyId' = ${partyId}`,
      ),
    )
    .returning({ id: backends.backendId });
  if (removed.length > 0)
    await tx.execute(dsql`select pg_notify(${BACKENDS_CHANNEL}, ${tenantId})`);
  return removed.map((r) => r.id);
}

export async function listBackends(database: Database, tenantId: string): Promise<StoredBackend[]> {
  const rows = await database.db
    .select()
    .from(backends)
    .where(eq(backends.tenantId, tenantId))
    .orderBy(backends.backendId);
  return rows.map(stored);
}

export async function findBackend(
  database: Database,
  tenantId: string,
  backendId: string,
): Promise<StoredBackend | null> {
  const [row] = await database.db
    .select()
    .from(backends)
    .where(and(eq(backends.tenantId, tenantId), eq(backends.backendId, backendId)));
  return row ? stored(row) : null;
}
