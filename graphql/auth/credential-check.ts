import type { GraphQLError } from 'graphql';
import type { Database } from '../../db/client';
import { verifyApiKey } from '../../db/access-store';
import { apiError } from '../errors';
import type { Credential } from './authenticate';

/** Why a credential stopped being accepted, and the graphql-ws close code that says so. */
export interface CredentialEnd {
  /** 4401: the token expired (authenticate again); 4403: the API key was revoked. */
  readonly closeCode: 4401 | 4403;
  readonly error: GraphQLError;
}

const expired = (): CredentialEnd => ({
  closeCode: 4401,
  error: apiError('api:unauthenticated', 'the token has expired', {
    http: { status: 401, headers: { 'www-authenticate': 'Bearer' } },
  }),
});

const revoked = (): CredentialEnd => ({
  closeCode: 4403,
  error: apiError('api:unauthenticated', 'the API key has been revoked', {
    http: { status: 401, headers: { 'www-authenticate': 'Bearer' } },
  }),
});

/** How long a key's revocation check is reused, by default: a revoked key works this long at most. */
export const DEFAULT_RECHECK_CACHE_MS = 2_000;

/**
 * Checks again a credential a connection authenticated with earlier: null while it is still
 * good, else why not. An HTTP request authenticates afresh anyway; this is for graphql-ws
 * connections and SSE streams, which outlive the moment they proved who they are.
 *
 * Revocation answers are cached per key for `cacheMs`, so a partner with many connections or
 * operations costs one query per key and period, not one per operation.
 */
export function credentialCheck(database: Database, cacheMs = DEFAULT_RECHECK_CACHE_MS) {
  const live = new Map<string, { at: number; live: Promise<boolean> }>();
  return async (credential: Credential, now = Date.now()): Promise<CredentialEnd | null> => {
    if (credential.expiresAt !== null && now >= credential.expiresAt) return expired();
    const key = credential.apiKey;
    if (key === null) return null;
    let entry = live.get(key);
    if (!entry || now - entry.at >= cacheMs) {
      if (live.size > 10_000) for (const [k, e] of live) if (now - e.at >= cacheMs) live.delete(k);
      const fresh = { at: now, live: verifyApiKey(database, key).then((grant) => grant !== null) };
      live.set(key, fresh);
      // A failed lookup is not cached: the next check asks again.
      fresh.live.catch(() => live.get(key) === fresh && live.delete(key));
      entry = fresh;
    }
    return (await entry.live) ? null : revoked();
  };
}

export type CredentialCheck = ReturnType<typeof credentialCheck>;
