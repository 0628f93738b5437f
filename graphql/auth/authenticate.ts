import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Database } from '../../db/client';
import { verifyApiKey } from '../../db/access-store';
import { isValidId } from '../../twins/ids';
import { apiError } from '../errors';
import { isTenantRole, type Principal } from './roles';

/**
 * How the API checks JWTs: exactly one of a shared secret (HS256), a public key in PEM
 * (RSA, EC or Ed25519) or a JWKS URL (an identity provider's keys, fetched and cached).
 * With a public key or JWKS URL the audience is required: an identity provider signs tokens
 * for many applications, and without `aud` a token meant for another one would be accepted.
 */
export interface JwtConfig {
  readonly secret?: string | undefined;
  readonly publicKey?: string | undefined;
  readonly jwksUrl?: string | undefined;
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
}

/** The prefix of API keys; anything else after `Bearer` is taken for a JWT. */
export const API_KEY_PREFIX = 'dpk_';

/** A tenant no caller is ever in: reads of another tenant run against it (so they find nothing). */
export const NO_TENANT = 'doppel-no-tenant';

export const MIN_SECRET_BYTES = 32;

/** Who is calling, and what could end its right to: kept by connections that outlive a request. */
export interface Credential {
  readonly principal: Principal;
  /** When a JWT stops being accepted (its `exp`, in ms since the epoch); null for an API key. */
  readonly expiresAt: number | null;
  /** The API key presented (rechecked for revocation on long-lived connections); null for a JWT. */
  readonly apiKey: string | null;
}

const unauthenticated = (why: string) =>
  apiError('api:unauthenticated', why, {
    http: { status: 401, headers: { 'www-authenticate': 'Bearer' } },
  });

function verificationKey(config: JwtConfig): {
  key: KeyObject | JWTVerifyGetKey;
  algorithms: string[];
} {
  const given = [config.secret, config.publicKey, config.jwksUrl].filter(Boolean).length;
  if (given !== 1)
    throw new Error('JWT verification needs exactly one of a secret, a public key or a JWKS URL');
  if (!config.secret && !config.audience)
    throw new Error(
      "JWTs from an identity provider (a public key or JWKS URL) need an audience: set the API's own (API_JWT_AUDIENCE)",
    );
  if (config.secret) {
    if (Buffer.byteLength(config.secret) < MIN_SECRET_BYTES)
      throw new Error(`the JWT secret must have at least ${MIN_SECRET_BYTES} bytes`);
    return { key: createSecretKey(Buffer.from(config.secret)), algorithms: ['HS256'] };
  }
  if (config.publicKey) {
    const key = createPublicKey(config.publicKey);
    const algorithms =
      key.asymmetricKeyType === 'rsa'
        ? ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']
        : key.asymmetricKeyType === 'ec'
          ? ['ES256', 'ES384', 'ES512']
          : ['EdDSA'];
    return { key, algorithms };
  }
  return {
    key: createRemoteJWKSet(new URL(config.jwksUrl!)),
    algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'],
  };
}

/**
 * Turns an `Authorization` value into the caller, or refuses with `api:unauthenticated`
 * (HTTP 401): `Bearer <JWT>` for users, `Bearer dpk_…` for API keys.
 *
 * A JWT names its caller in `sub`, its role in `role` and its tenant in `tenant` (not needed
 * for `platform-admin`), and must expire (`exp`). An API key carries the tenant and role it was
 * created with.
 */
export function authenticator(config: JwtConfig, database: Database) {
  const { key, algorithms } = verificationKey(config);
  const options = {
    algorithms,
    // A token without exp would be good forever, on every connection it ever opened.
    requiredClaims: ['exp'],
    ...(config.issuer ? { issuer: config.issuer } : {}),
    ...(config.audience ? { audience: config.audience } : {}),
  };
  return async (authorization: string | null | undefined): Promise<Credential> => {
    if (!authorization)
      throw unauthenticated('send Authorization: Bearer <JWT or API key> with every request');
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw unauthenticated('the Authorization header must be Bearer <token>');
    const token = match[1]!;
    if (token.startsWith(API_KEY_PREFIX)) {
      const grant = await verifyApiKey(database, token);
      if (!grant || !isTenantRole(grant.role)) throw unauthenticated('unknown or revoked API key');
      const principal = { actor: `key:${grant.keyId}`, role: grant.role, tenantId: grant.tenantId };
      return { principal, expiresAt: null, apiKey: token };
    }
    let claims: Record<string, unknown>;
    try {
      claims = (await jwtVerify(token, key as KeyObject, options)).payload;
    } catch (error) {
      throw unauthenticated(
        error instanceof joseErrors.JWTExpired
          ? 'the token has expired'
          : error instanceof joseErrors.JWTClaimValidationFailed && error.reason === 'missing'
            ? `the token has no ${error.claim} claim`
            : error instanceof joseErrors.JWTClaimValidationFailed
              ? `the token's ${error.claim} claim is not accepted`
              : 'the token is not a valid JWT signed by a trusted key',
      );
    }
    return { principal: principalOf(claims), expiresAt: Number(claims.exp) * 1000, apiKey: null };
  };
}

function principalOf(claims: Record<string, unknown>): Principal {
  const { sub, role, tenant } = claims;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 200)
    throw unauthenticated('the token has no sub claim');
  if (role === 'platform-admin') return { actor: `user:${sub}`, role, tenantId: null };
  if (!isTenantRole(role))
    throw unauthenticated(
      'the token has no valid role claim (tenant-admin, operator, installer, viewer, partner or platform-admin)',
    );
  if (typeof tenant !== 'string' || !isValidId(tenant) || tenant === NO_TENANT)
    throw unauthenticated('the token has no valid tenant claim');
  return { actor: `user:${sub}`, role, tenantId: tenant };
}
