import type { Database } from './client';
import { ocpiSessionPartyOf } from './ocpi-session-party';

/**
 * Whether a charging session belongs to an OCPI party, which alone may stop it: the party
 * whose START_SESSION started it — or, once the Tokens module is merged, whose cached token is
 * its idTag (the branch marked in db/ocpi-session-party.ts). docs/ocpi.md, "Whose session".
 */
export async function ocpiSessionBelongsToParty(
  database: Database,
  tenantId: string,
  partyId: string,
  sessionId: number,
): Promise<boolean> {
  return (await ocpiSessionPartyOf(database, tenantId, sessionId)) === partyId;
}
