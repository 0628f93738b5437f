import { pageOcpiTariffs } from '../../db/ocpi-tariff-store';
import type { OcpiCaller } from './credentials';
import { moduleUrl, type OcpiDeps } from './ocpi-deps';
import { pageHeaders, parsePage } from './paging';

/** GET /tariffs (the Sender interface): the caller's tenant's tariffs, a page at a time. */
export async function listTariffs(deps: OcpiDeps, caller: OcpiCaller, search: URLSearchParams) {
  const page = parsePage(search);
  const { party } = caller;
  const { tariffs, total } = await pageOcpiTariffs(deps.database, party.tenantId, page);
  const data = tariffs.map((t) => ({
    country_code: party.cpoCountryCode,
    party_id: party.cpoPartyId,
    id: t.tariffId,
    ...t.details,
    last_updated: t.lastUpdated.toISOString(),
  }));
  const url = new URL(moduleUrl(deps, 'tariffs'));
  for (const [k, v] of search) url.searchParams.set(k, v);
  return { data, headers: pageHeaders(url, page, total) };
}
