import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Database } from '../../db/client';
import { advanceOcpiPushCursor, evsesOfDevices, ocpiPushPage } from '../../db/ocpi-push-store';
import { ocpiPartyStationFilter } from '../../db/ocpi-station-filter';
import type { Egress } from '../../outbound/egress';
import { evseDocument, ocpiId } from '../../twins/ocpi/location-document';
import type { OcpiPushOutcome } from '../ocpi-push/messages';

export const OCPI_PUSH_FAILED = 'ocpi:push.failed';

const tokenHeader = (token: string) => `Token ${Buffer.from(token, 'utf8').toString('base64')}`;

/** Activities of the OCPI push workflow. */
export function createOcpiPushActivities(database: Database, egress: Egress) {
  return {
    /**
     * One round: the EVSEs whose stations changed since the cursor, PATCHed to the eMSP's
     * Locations receiver (`…/{country}/{party}/{location}/{evse}` with status and
     * last_updated); the cursor moves only when every PATCH was answered 2xx with 1xxx.
     */
    async pushOcpiChanges(a: { tenantId: string; partyId: string }): Promise<OcpiPushOutcome> {
      const page = await ocpiPushPage(database, a.tenantId, a.partyId);
      const token = page?.party.tokenB;
      if (!page || page.party.status !== 'connected' || !token) return 'stopped';
      const { party } = page;
      if (page.reaches === party.pushCursor) return 'idle';
      const receiver = party.endpoints.find(
        (e) => e.identifier === 'locations' && e.role === 'RECEIVER',
      );
      if (receiver) {
        const base = receiver.url.replace(/\/+$/, '');
        // Read each round: a change of the party's OCPI backends applies to the next one.
        const stations = await ocpiPartyStationFilter(database, a.tenantId, a.partyId);
        const changed = await evsesOfDevices(database, a.tenantId, page.deviceIds, stations);
        for (const { site, assets } of changed)
          for (const asset of assets) {
            const evse = evseDocument(asset);
            const url = `${base}/${party.cpoCountryCode}/${party.cpoPartyId}/${ocpiId(site.siteId)}/${evse.uid}`;
            await patch(
              url,
              token,
              { status: evse.status, last_updated: evse.last_updated },
              {
                'ocpi-from-country-code': party.cpoCountryCode,
                'ocpi-from-party-id': party.cpoPartyId,
                'ocpi-to-country-code': party.countryCode ?? '',
                'ocpi-to-party-id': party.partyCode ?? '',
              },
            );
          }
      }
      await advanceOcpiPushCursor(database, a.tenantId, a.partyId, party.pushCursor, page.reaches);
      return page.full ? 'more' : 'idle';
    },
  };

  async function patch(url: string, token: string, body: unknown, headers: Record<string, string>) {
    const attempt = Context.current().info.attempt;
    let status: number;
    let answer = '';
    try {
      const response = await egress.fetch(url, {
        method: 'PATCH',
        headers: {
          authorization: tokenHeader(token),
          'content-type': 'application/json',
          'x-request-id': crypto.randomUUID(),
          'x-correlation-id': crypto.randomUUID(),
          ...headers,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      status = response.status;
      answer = await response.text();
    } catch (error) {
      const reason = error instanceof Error ? (error.cause ?? error) : error;
      throw ApplicationFailure.retryable(
        `PATCH to the eMSP failed (attempt ${attempt}): ${String(reason)}`,
        OCPI_PUSH_FAILED,
      );
    }
    let code: unknown;
    try {
      code = (JSON.parse(answer) as { status_code?: unknown }).status_code;
    } catch {
      code = undefined;
    }
    if (status < 200 || status > 299 || typeof code !== 'number' || code >= 2000)
      throw ApplicationFailure.retryable(
        `PATCH to the eMSP answered HTTP ${status}, status_code ${String(code)} (attempt ${attempt})`,
        OCPI_PUSH_FAILED,
      );
  }
}

export type OcpiPushActivities = ReturnType<typeof createOcpiPushActivities>;
