import { and, eq, sql } from 'drizzle-orm';
import type { Database } from './client';
import { ocpiParties, ocpiTokens } from './schema';

/** A token as an eMSP pushed it (OCPI 2.2.1 Token object), and the party it came from. */
export interface CachedOcpiToken {
  readonly ocpiPartyId: string;
  readonly token: Record<string, unknown>;
}

const key = (tenantId: string, partyId: string, uid: string, type: string) =>
  and(
    eq(ocpiTokens.tenantId, tenantId),
    eq(ocpiTokens.ocpiPartyId, partyId),
    eq(ocpiTokens.uid, uid),
    eq(ocpiTokens.type, type),
  );

/**
 * Stores (replaces) a party's token as it was sent, under `uid`: its uid in upper case (a
 * CiString; stations' idTags find it in any case).
 */
export async function putOcpiToken(
  database: Database,
  tenantId: string,
  partyId: string,
  uid: string,
  token: Record<string, unknown> & { type: string; last_updated: string },
  /** A pulled token replaces only an older one: a push that came meanwhile stays. */
  options: { onlyIfNewer?: boolean } = {},
): Promise<void> {
  const row = {
    tenantId,
    ocpiPartyId: partyId,
    uid,
    type: token.type,
    token,
    lastUpdated: new Date(token.last_updated),
  };
  await database.db
    .insert(ocpiTokens)
    .values(row)
    .onConflictDoUpdate({
      target: [ocpiTokens.tenantId, ocpiTokens.ocpiPartyId, ocpiTokens.uid, ocpiTokens.type],
      set: { token: row.token, lastUpdated: row.lastUpdated },
      ...(options.onlyIfNewer
        ? { setWhere: sql`${ocpiTokens.lastUpdated} <= excluded.last_updated` }
        : {}),
    });
}

/** One of a party's tokens, or null. */
export async function findOcpiToken(
  database: Database,
  tenantId: string,
  partyId: string,
  uid: string,
  type: string,
): Promise<Record<string, unknown> | null> {
  const [row] = await database.db
    .select({ token: ocpiTokens.token })
    .from(ocpiTokens)
    .where(key(tenantId, partyId, uid, type));
  return row?.token ?? null;
}

/**
 * The cached token a station's idTag names, among the tenant's parties, or null: its uid (in
 * any case: a CiString), or a uid of which the idTag is the first 20 characters (OCPP 1.6's idTag is at most 20 long, and
 * START_SESSION sends that much of a longer uid). With several, an RFID token of a connected
 * party first, then the most recently updated.
 */
export async function ocpiTokenByUid(
  database: Database,
  tenantId: string,
  uid: string,
): Promise<CachedOcpiToken | null> {
  const key = uid.toUpperCase();
  const rows = await database.sql<{ ocpi_party_id: string; token: Record<string, unknown> }[]>`
    select t.ocpi_party_id, t.token from ocpi_tokens t
    join ocpi_parties p on p.tenant_id = t.tenant_id and p.party_id = t.ocpi_party_id
    where t.tenant_id = ${tenantId}
      and (t.uid = ${key} or (${key.length === 20} and left(t.uid, 20) = ${key}))
    order by (p.status = 'connected') desc, (t.type = 'RFID') desc, (t.uid = ${key}) desc,
      t.last_updated desc
    limit 1`;
  const row = rows[0];
  return row ? { ocpiPartyId: row.ocpi_party_id, token: row.token } : null;
}

/**
 * What the gateway needs to authorise a tenant's idTags: its connected parties that offer a
 * Tokens sender (real-time authorisation), with token B and the identities of both sides.
 */
export async function tokenAuthorities(database: Database, tenantId: string) {
  const rows = await database.db
    .select({
      partyId: ocpiParties.partyId,
      tokenB: ocpiParties.tokenB,
      endpoints: ocpiParties.endpoints,
      cpoCountryCode: ocpiParties.cpoCountryCode,
      cpoPartyId: ocpiParties.cpoPartyId,
      countryCode: ocpiParties.countryCode,
      partyCode: ocpiParties.partyCode,
    })
    .from(ocpiParties)
    .where(and(eq(ocpiParties.tenantId, tenantId), eq(ocpiParties.status, 'connected')));
  return rows.flatMap((r) => {
    const tokens = r.endpoints.find((e) => e.identifier === 'tokens' && e.role === 'SENDER');
    return r.tokenB ? [{ ...r, tokenB: r.tokenB, tokensUrl: tokens?.url ?? null }] : [];
  });
}

export type TokenAuthority = Awaited<ReturnType<typeof tokenAuthorities>>[number];
