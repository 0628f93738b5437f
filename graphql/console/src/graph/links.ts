// Where the graph page's links go. The URL keeps the selection (?customer=, ?site=, ?asset=):
// the deepest one only, its parents come from the API, so a link always opens the same view.

export type Selection =
  | { level: 'customers' }
  | { level: 'customer'; id: string }
  | { level: 'site'; id: string }
  | { level: 'asset'; id: string };

export function selectionOf(params: URLSearchParams): Selection {
  const asset = params.get('asset');
  if (asset) return { level: 'asset', id: asset };
  const site = params.get('site');
  if (site) return { level: 'site', id: site };
  const customer = params.get('customer');
  if (customer) return { level: 'customer', id: customer };
  return { level: 'customers' };
}

const tenantPath = (tenantId: string) => `/tenants/${encodeURIComponent(tenantId)}`;

export function graphHref(tenantId: string, selection: Selection): string {
  const base = `${tenantPath(tenantId)}/graph`;
  return selection.level === 'customers'
    ? base
    : `${base}?${new URLSearchParams({ [selection.level]: selection.id })}`;
}

/** The device page (the console's `devices/:deviceId`). */
export const deviceHref = (tenantId: string, deviceId: string) =>
  `${tenantPath(tenantId)}/devices/${encodeURIComponent(deviceId)}`;
