import { ocpiCdrDocument, ocpiSessionDocument } from '../../db/ocpi-session-documents';
import { ocpiSessionRows } from '../../db/ocpi-session-store';
import type { OcpiCaller } from './credentials';
import { moduleUrl, type OcpiDeps } from './ocpi-deps';
import { pageHeaders, parsePage } from './paging';

/**
 * GET /sessions and GET /cdrs (the Sender interfaces): the caller's own Sessions (or CDRs) a
 * page at a time — never another eMSP's, even of the same tenant — with OCPI's paging
 * headers and date window.
 */
export async function listSessionsOrCdrs(
  deps: OcpiDeps,
  caller: OcpiCaller,
  module: 'sessions' | 'cdrs',
  search: URLSearchParams,
) {
  const page = parsePage(search);
  const { party } = caller;
  const { rows, total } = await ocpiSessionRows(deps.database, party.tenantId, party.partyId, {
    kind: module,
    ...page,
  });
  const data = [];
  for (const row of rows)
    data.push(
      module === 'sessions'
        ? await ocpiSessionDocument(deps.database, party, row)
        : await ocpiCdrDocument(deps.database, party, row),
    );
  const url = new URL(moduleUrl(deps, module));
  for (const [k, v] of search) url.searchParams.set(k, v);
  return { data, headers: pageHeaders(url, page, total) };
}
