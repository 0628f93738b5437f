import { ApplicationFailure } from '@temporalio/common';
import type { Database } from '../../db/client';
import { findOcpiParty } from '../../db/ocpi-party-store';
import { putOcpiToken } from '../../db/ocpi-token-store';
import type { Egress } from '../../outbound/egress';
import { tokenKey, tokenObject } from '../../twins/ocpi/tokens';
import type { OcpiTokenPage } from '../ocpi-token-pull/messages';

export const OCPI_TOKEN_PULL_FAILED = 'ocpi:token-pull.failed';

/** Tokens asked for per page (an eMSP may answer fewer: its X-Limit). */
const PAGE_LIMIT = 100;

const tokenHeader = (token: string) => `Token ${Buffer.from(token, 'utf8').toString('base64')}`;

const failed = (why: string) =>
  ApplicationFailure.retryable(`GET of the eMSP's tokens failed: ${why}`, OCPI_TOKEN_PULL_FAILED);

/** Activities of the token pull workflow. */
export function createOcpiTokenPullActivities(database: Database, egress: Egress) {
  return {
    /**
     * One page of `GET {eMSP tokens}?offset=&limit=` (mod_tokens 12.1.1) with token B, stored
     * unless Doppel holds a newer copy. The next page is counted by offset against
     * `X-Total-Count` rather than following `Link` (some eMSPs' links are wrong; extrawest-ocpi's
     * point at a CPO path). Tokens that are not OCPI's, or not of this eMSP, are skipped.
     */
    async pullOcpiTokens(a: {
      tenantId: string;
      partyId: string;
      offset: number;
    }): Promise<OcpiTokenPage> {
      const party = await findOcpiParty(database, a.tenantId, a.partyId);
      const sender = party?.endpoints.find((e) => e.identifier === 'tokens' && e.role === 'SENDER');
      if (!party || party.status !== 'connected' || !party.tokenB || !sender)
        return { stored: 0, next: null };
      const url = new URL(sender.url);
      url.searchParams.set('offset', String(a.offset));
      url.searchParams.set('limit', String(PAGE_LIMIT));
      let response;
      let text: string;
      try {
        response = await egress.fetch(url.toString(), {
          headers: {
            authorization: tokenHeader(party.tokenB),
            'x-request-id': crypto.randomUUID(),
            'x-correlation-id': crypto.randomUUID(),
            'ocpi-from-country-code': party.cpoCountryCode,
            'ocpi-from-party-id': party.cpoPartyId,
            'ocpi-to-country-code': party.countryCode ?? '',
            'ocpi-to-party-id': party.partyCode ?? '',
          },
          signal: AbortSignal.timeout(10_000),
        });
        text = await response.text();
      } catch (error) {
        const reason = error instanceof Error ? (error.cause ?? error) : error;
        throw failed(String(reason));
      }
      let body: { status_code?: unknown; data?: unknown };
      try {
        body = JSON.parse(text);
      } catch {
        throw failed(`HTTP ${response.status}, not JSON`);
      }
      if (!response.ok || typeof body.status_code !== 'number' || body.status_code >= 2000)
        throw failed(`HTTP ${response.status}, status_code ${String(body.status_code)}`);
      if (!Array.isArray(body.data)) throw failed('the data is not a list');
      let stored = 0;
      for (const candidate of body.data) {
        const parsed = tokenObject.safeParse(candidate);
        if (!parsed.success) continue;
        const token = parsed.data;
        if (
          token.country_code.toUpperCase() !== party.countryCode ||
          token.party_id.toUpperCase() !== party.partyCode
        )
          continue;
        await putOcpiToken(database, a.tenantId, a.partyId, tokenKey(token.uid), token, {
          onlyIfNewer: true,
        });
        stored++;
      }
      const count = body.data.length;
      const total = Number(response.headers.get('x-total-count') ?? Number.NaN);
      const reached = a.offset + count;
      const more = Number.isFinite(total) ? reached < total : count >= PAGE_LIMIT;
      return { stored, next: count > 0 && more ? reached : null };
    },
  };
}

export type OcpiTokenPullActivities = ReturnType<typeof createOcpiTokenPullActivities>;
