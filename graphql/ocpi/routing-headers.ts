import type { IncomingMessage } from 'node:http';

/**
 * OCPI's request tracing headers: a request's `X-Request-ID` and `X-Correlation-ID` come back
 * in its answer, so both sides' logs name the same exchange.
 */
export function routingHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of ['x-request-id', 'x-correlation-id']) {
    const value = req.headers[name];
    if (typeof value === 'string' && value.length <= 255) headers[name] = value;
  }
  return headers;
}

/**
 * OCPI 2.2.1's routing headers on a module's request or answer between Doppel (as the party's
 * CPO) and the eMSP: from whom, to whom.
 */
export function partyHeaders(
  party: {
    cpoCountryCode: string;
    cpoPartyId: string;
    countryCode: string | null;
    partyCode: string | null;
  },
  direction: 'to-emsp' | 'to-cpo' = 'to-emsp',
): Record<string, string> {
  const cpo = { country: party.cpoCountryCode, party: party.cpoPartyId };
  const emsp = { country: party.countryCode ?? '', party: party.partyCode ?? '' };
  const [from, to] = direction === 'to-emsp' ? [cpo, emsp] : [emsp, cpo];
  return {
    'ocpi-from-country-code': from.country,
    'ocpi-from-party-id': from.party,
    'ocpi-to-country-code': to.country,
    'ocpi-to-party-id': to.party,
  };
}
