/** The code of a refused operator-chosen claim token. */
export const CLAIM_TOKEN_WEAK = 'provisioning:claim-token.weak';

/**
 * 22 characters of the base64url alphabet carry 132 bits when drawn at random, as the
 * generated `clm_…` tokens are (18 random bytes). The claim token is the only secret between a
 * serial printed on a box and a device identity, and the gateway hashes it with a cheap scrypt
 * (db/credentials.ts), so it must be too large to guess, not merely too slow to try.
 */
export const CLAIM_TOKEN_MIN_LENGTH = 22;
/** Fewer different characters than this is a pattern (`aaaa…`, `0123…0123`), not a random draw. */
export const CLAIM_TOKEN_MIN_DISTINCT = 10;

const ALPHABET = /^[A-Za-z0-9_-]*$/;

/**
 * Why an operator-chosen claim token is too weak to guard a device, or null when it is
 * long enough, of the base64url alphabet and not an obvious pattern. The check cannot see
 * how a token was made: operators should still draw it at random (`openssl rand -base64 18`
 * with `+/` as `-_`), never derive it from the serial.
 *
 * @example
 *   claimTokenWeakness('clm_u8Zp3QkR0bT6wXy1Vn4sLm2A'); // null
 *   claimTokenWeakness('printed-on-box'); // 'at least 22 characters (14 given) …'
 */
export function claimTokenWeakness(token: string): string | null {
  if (!ALPHABET.test(token)) return 'only letters, digits, "-" and "_" (the base64url alphabet)';
  if (token.length < CLAIM_TOKEN_MIN_LENGTH)
    return `at least ${CLAIM_TOKEN_MIN_LENGTH} characters (${token.length} given): 132 bits when random`;
  if (new Set(token).size < CLAIM_TOKEN_MIN_DISTINCT)
    return `at least ${CLAIM_TOKEN_MIN_DISTINCT} different characters: this looks like a pattern, not a random token`;
  return null;
}
