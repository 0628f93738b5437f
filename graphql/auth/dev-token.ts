import { createSecretKey, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Role } from './roles';

/** A fresh HS256 secret, for an installation that has no identity provider yet. */
export const newJwtSecret = () => randomBytes(48).toString('base64url');

/**
 * Signs a token with a shared secret, the way an identity provider would: for `npm start`'s
 * first administrator, for tests and for scripts. Production installations usually verify an
 * identity provider's tokens (API_JWT_JWKS_URL) instead.
 */
export function signToken(
  secret: string,
  claims: { sub: string; role: Role; tenant?: string },
  options: { expiresIn?: string; issuer?: string; audience?: string } = {},
): Promise<string> {
  let jwt = new SignJWT({ role: claims.role, ...(claims.tenant ? { tenant: claims.tenant } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h');
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(createSecretKey(Buffer.from(secret)));
}
