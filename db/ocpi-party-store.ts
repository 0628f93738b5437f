import { createHash } from 'node:crypto';
import { and, asc, eq, or, sql as dsql } from 'drizzle-orm';
import { removeOcpiPartyBackends } from './backend-store';
import type { Database } from './client';
import { ocpiParties, type OcpiEndpoint } from './schema';

export type { OcpiEndpoint };

export type OcpiPartyRow = typeof ocpiParties.$inferSelect;
export type OcpiPartyStatus = OcpiPartyRow['status'];

/** Doppel's identity towards one eMSP, as an operator registers it. */
export interface OcpiPartyDefinition {
  readonly partyId: string;
  readonly cpoCountryCode: string;
  readonly cpoPartyId: string;
  readonly cpoName: string;
}

/** What the credentials handshake learnt about the eMSP and the tokens it settled. */
export interface OcpiConnection {
  readonly countryCode: string;
  readonly partyCode: string;
  readonly name: string;
  readonly versionsUrl: string;
  readonly endpoints: OcpiEndpoint[];
  /** The token Doppel presents to the eMSP. */
  readonly tokenB: string;
  /** The token the eMSP presents to Doppel (stored hashed). */
  readonly tokenC: string;
}

/**
 * Tokens are 256 random bits Doppel generated (or the eMSP's to present): a plain SHA-256 is
 * enough to find them without keeping them readable, as for API keys.
 */
export const tokenHash = (token: string) =>
  createHash('sha256').update(token, 'utf8').digest('hex');

const key = (tenantId: string, partyId: string) =>
  and(eq(ocpiParties.tenantId, tenantId), eq(ocpiParties.partyId, partyId));

const bump = () => ({ version: dsql`${ocpiParties.version} + 1`, updatedAt: new Date() });

/** Adds a pending party whose eMSP registers with token A; null when the id is taken. */
export async function createOcpiParty(
  database: Database,
  tenantId: string,
  party: OcpiPartyDefinition,
  tokenA: string,
): Promise<OcpiPartyRow | null> {
  const [row] = await database.db
    .insert(ocpiParties)
    .values({ tenantId, ...party, status: 'pending', tokenAHash: tokenHash(tokenA) })
    .onConflictDoNothing()
    .returning();
  return row ?? null;
}

/** Changes Doppel's identity towards the party; tokens and connection stay. */
export async function updateOcpiParty(
  database: Database,
  tenantId: string,
  party: OcpiPartyDefinition,
): Promise<OcpiPartyRow | null> {
  const { partyId, ...fields } = party;
  const [row] = await database.db
    .update(ocpiParties)
    .set({ ...fields, ...bump() })
    .where(key(tenantId, partyId))
    .returning();
  return row ?? null;
}

/** A new token A (the party back to `pending` unless connected): for a new registration. */
export async function setOcpiTokenA(
  database: Database,
  tenantId: string,
  partyId: string,
  tokenA: string,
): Promise<OcpiPartyRow | null> {
  const [row] = await database.db
    .update(ocpiParties)
    .set({
      tokenAHash: tokenHash(tokenA),
      status: dsql`case when ${ocpiParties.status} = 'connected' then 'connected' else 'pending' end`,
      ...bump(),
    })
    .where(key(tenantId, partyId))
    .returning();
  return row ?? null;
}

/**
 * Sets the token C an eMSP will present before Doppel sends it: when Doppel registers with an
 * eMSP, the eMSP calls back with it during the handshake.
 */
export async function setOcpiTokenC(
  database: Database,
  tenantId: string,
  partyId: string,
  tokenC: string,
): Promise<OcpiPartyRow | null> {
  const [row] = await database.db
    .update(ocpiParties)
    .set({ tokenCHash: tokenHash(tokenC), ...bump() })
    .where(key(tenantId, partyId))
    .returning();
  return row ?? null;
}

/** NOTIFYed with the tenant when one of its parties connects. */
export const OCPI_PARTIES_CHANNEL = 'doppel_ocpi_parties';

/**
 * Records a finished handshake: the eMSP's identity, endpoints and tokens. Token A is spent
 * (the spec: it is only for registering). `expectedVersion` makes two handshakes racing for
 * one party end with one winner.
 */
export async function connectOcpiParty(
  database: Database,
  tenantId: string,
  partyId: string,
  expectedVersion: number,
  connection: OcpiConnection,
): Promise<OcpiPartyRow | null> {
  const { tokenC, ...rest } = connection;
  return database.db.transaction(async (tx) => {
    const [row] = await tx
      .update(ocpiParties)
      .set({
        ...rest,
        status: 'connected',
        tokenAHash: null,
        tokenCHash: tokenHash(tokenC),
        // Changes from now on are pushed; what came before, the eMSP pulls.
        pushCursor: dsql`(select coalesce(max(id), 0) from outbox)`,
        ...bump(),
      })
      .where(and(key(tenantId, partyId), eq(ocpiParties.version, expectedVersion)))
      .returning();
    // The workers' push wakers read the tenant's connected parties again (ocpi-push-waker.ts).
    if (row) await tx.execute(dsql`select pg_notify(${OCPI_PARTIES_CHANNEL}, ${tenantId})`);
    return row ?? null;
  });
}

/** The eMSP unregistered (DELETE credentials): its tokens stop working, its row stays. */
export async function unregisterOcpiParty(
  database: Database,
  tenantId: string,
  partyId: string,
): Promise<OcpiPartyRow | null> {
  const [row] = await database.db
    .update(ocpiParties)
    .set({ status: 'unregistered', tokenAHash: null, tokenCHash: null, tokenB: null, ...bump() })
    .where(key(tenantId, partyId))
    .returning();
  return row ?? null;
}

/** Removes a party and the OCPI backends that name it (docs/backends.md, "OCPI parties"). */
export async function removeOcpiParty(database: Database, tenantId: string, partyId: string) {
  return database.db.transaction(async (tx) => {
    const gone = await tx
      .delete(ocpiParties)
      .where(key(tenantId, partyId))
      .returning({ id: ocpiParties.partyId });
    if (gone.length > 0) await removeOcpiPartyBackends(tx, tenantId, partyId);
    return gone.length > 0;
  });
}

export async function findOcpiParty(database: Database, tenantId: string, partyId: string) {
  const [row] = await database.db.select().from(ocpiParties).where(key(tenantId, partyId));
  return row ?? null;
}

export function listOcpiParties(database: Database, tenantId: string) {
  return database.db
    .select()
    .from(ocpiParties)
    .where(eq(ocpiParties.tenantId, tenantId))
    .orderBy(asc(ocpiParties.partyId));
}

/** The party a presented token belongs to, and which token it is (A or C); null for none. */
export async function partyByToken(
  database: Database,
  token: string,
): Promise<{ party: OcpiPartyRow; kind: 'A' | 'C' } | null> {
  const hash = tokenHash(token);
  const [row] = await database.db
    .select()
    .from(ocpiParties)
    .where(or(eq(ocpiParties.tokenAHash, hash), eq(ocpiParties.tokenCHash, hash)))
    .limit(1);
  if (!row) return null;
  return { party: row, kind: row.tokenCHash === hash ? 'C' : 'A' };
}
