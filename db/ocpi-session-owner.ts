import type { Database } from './client';

/**
 * Whether a charging session belongs to an OCPI party, which alone may stop it. A session
 * belongs to the party whose START_SESSION started it, else to the party whose cached token is
 * its idTag (docs/ocpi.md).
 *
 * Until those two records exist (the Sessions and Tokens modules), this is the tenant check:
 * the caller found the session in the party's tenant, and every party of a tenant may stop it.
 * At merge, this one function is where `ocpiSessionParty(...)` (db/ocpi-session-party.ts) joins
 * `ocpiTokenByUid(...)` (db/ocpi-token-store.ts).
 */
export async function ocpiSessionBelongsToParty(
  _database: Database,
  _tenantId: string,
  _partyId: string,
  _sessionId: number,
): Promise<boolean> {
  return true;
}
