import { z } from 'zod';

/** OCPI 2.2.1's TokenType and WhitelistType (mod_tokens). */
export const TOKEN_TYPES = ['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID'] as const;
const WHITELIST_TYPES = ['ALWAYS', 'ALLOWED', 'ALLOWED_OFFLINE', 'NEVER'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];
export type WhitelistType = (typeof WHITELIST_TYPES)[number];

const ciString = (max: number) => z.string().min(1).max(max);
/** OCPI's DateTime: RFC 3339, UTC when no zone is given. */
const dateTime = z.string().refine((s) => !Number.isNaN(new Date(s).getTime()), {
  message: 'must be an RFC 3339 date-time',
});

/** OCPI 2.2.1's Token object (mod_tokens 13.2), as an eMSP pushes it; other fields are kept. */
export const tokenObject = z.looseObject({
  country_code: z.string().regex(/^[A-Za-z]{2}$/, 'country_code is ISO 3166-1 alpha-2'),
  party_id: z.string().regex(/^[A-Za-z0-9]{3}$/, 'party_id is 3 letters or digits'),
  uid: ciString(36),
  type: z.enum(TOKEN_TYPES),
  contract_id: ciString(36),
  visual_number: z.string().max(64).nullish(),
  issuer: z.string().min(1).max(64),
  group_id: ciString(36).nullish(),
  valid: z.boolean(),
  whitelist: z.enum(WHITELIST_TYPES),
  language: z.string().length(2).nullish(),
  default_profile_type: z.enum(['CHEAP', 'FAST', 'GREEN', 'REGULAR']).nullish(),
  energy_contract: z
    .object({ supplier_name: z.string().min(1).max(64), contract_id: z.string().max(64).nullish() })
    .nullish(),
  last_updated: dateTime,
});
export type OcpiToken = z.infer<typeof tokenObject>;

/** A token's uid is a CiString: Doppel keys it in upper case, so any case finds it. */
export const tokenKey = (uid: string) => uid.toUpperCase();

/** OCPI 2.2.1's AllowedType: the eMSP's verdict in an AuthorizationInfo. */
export const ALLOWED_TYPES = ['ALLOWED', 'BLOCKED', 'EXPIRED', 'NO_CREDIT', 'NOT_ALLOWED'] as const;
export type AllowedType = (typeof ALLOWED_TYPES)[number];

/** What Doppel needs of an AuthorizationInfo (mod_tokens 13.1). */
export const authorizationInfo = z.looseObject({
  allowed: z.enum(ALLOWED_TYPES),
  authorization_reference: z.string().max(36).nullish(),
});

/**
 * An eMSP's verdict in the station's terms. OCPP 1.6 has no "no credit" nor "not here":
 * both are `Invalid` (not allowed to charge); 2.0.1 names them.
 * @example ocppStatus('ocpp2.0.1', 'NO_CREDIT') // 'NoCredit'
 */
export function ocppStatus(protocol: string, allowed: AllowedType): string {
  const v16 = protocol === 'ocpp1.6';
  switch (allowed) {
    case 'ALLOWED':
      return 'Accepted';
    case 'BLOCKED':
      return 'Blocked';
    case 'EXPIRED':
      return 'Expired';
    case 'NO_CREDIT':
      return v16 ? 'Invalid' : 'NoCredit';
    case 'NOT_ALLOWED':
      return v16 ? 'Invalid' : 'NotAtThisLocation';
  }
}

/**
 * How a cached token answers, per its whitelist (mod_tokens 14.5): `ALWAYS` and `ALLOWED` from
 * the cache; `ALLOWED_OFFLINE` asks the eMSP first and falls back to the cache when it does
 * not answer; `NEVER` always asks. A token no longer valid is refused whatever its whitelist.
 */
export function cachedVerdict(token: {
  valid?: unknown;
  whitelist?: unknown;
}): 'accept' | 'blocked' | 'ask-then-accept' | 'ask' {
  if (token.valid !== true) return 'blocked';
  if (token.whitelist === 'ALWAYS' || token.whitelist === 'ALLOWED') return 'accept';
  if (token.whitelist === 'ALLOWED_OFFLINE') return 'ask-then-accept';
  return 'ask';
}

/**
 * The OCPI token type of an OCPP 2.0.1 idToken: a Central token is one Doppel started a session
 * for (START_SESSION, an app user), every other kind is a card. 1.6 idTags are cards.
 */
export const ocpiTokenType = (ocppType: string | undefined): TokenType =>
  ocppType === 'Central' ? 'APP_USER' : 'RFID';
