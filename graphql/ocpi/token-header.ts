import { randomBytes } from 'node:crypto';
import { OCPI_STATUS, OcpiError } from './envelope';

/**
 * OCPI 2.2.1 sends its credentials tokens base64-encoded: `Authorization: Token <base64>`.
 * 2.1.1 sent them as they are, and some parties still do: a value that does not decode to
 * printable text is taken as the token itself.
 */
export function tokenFromHeader(header: string | undefined): string {
  const match = /^Token\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match)
    throw new OcpiError(
      'ocpi:unauthenticated',
      401,
      OCPI_STATUS.clientError,
      'send Authorization: Token <base64 of your credentials token>',
    );
  const given = match[1]!;
  const decoded = /^[A-Za-z0-9+/]+={0,2}$/.test(given)
    ? Buffer.from(given, 'base64').toString('utf8')
    : '';
  return decoded.length > 0 && /^[\x21-\x7e]+$/.test(decoded) ? decoded : given;
}

/** The header Doppel sends with a token: base64, as 2.2.1 asks. */
export const tokenHeader = (token: string) =>
  `Token ${Buffer.from(token, 'utf8').toString('base64')}`;

/** A new credentials token: 256 random bits, within OCPI's 64 characters (base64url, 43). */
export const newOcpiToken = () => randomBytes(32).toString('base64url');
