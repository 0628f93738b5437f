import type { AssetBindingRow, AssetRow, CustomerRow, SiteRow } from '../../../db/graph-lookups';
import type { DeviceTwinState } from '../../../twins/device';
import { assetWorkflowId } from '../../../twins/ids';
import { deviceView } from '../device-view';
import { globalId } from './global-id';

/** PostgreSQL's text form of a timestamp (`2026-01-01 10:00:00+00`) as ISO 8601. */
const iso = (value: string | null) => (value === null ? null : new Date(value).toISOString());

// Rows in the shape of the GraphQL types. `__typename` lets `Node` resolve its type.

export function customerView(row: CustomerRow) {
  return {
    __typename: 'Customer' as const,
    id: globalId('Customer', row.tenantId, row.customerId),
    tenantId: row.tenantId,
    customerId: row.customerId,
    name: row.name,
    createdAt: iso(row.createdAt),
  };
}
export type CustomerView = ReturnType<typeof customerView>;

export function siteView(row: SiteRow) {
  return {
    __typename: 'Site' as const,
    id: globalId('Site', row.tenantId, row.siteId),
    tenantId: row.tenantId,
    siteId: row.siteId,
    customerId: row.customerId,
    name: row.name,
    tags: row.tags,
    createdAt: iso(row.createdAt),
  };
}
export type SiteView = ReturnType<typeof siteView>;

export function assetView(row: AssetRow) {
  return {
    __typename: 'Asset' as const,
    id: globalId('Asset', row.tenantId, row.assetId),
    tenantId: row.tenantId,
    assetId: row.assetId,
    workflowId: assetWorkflowId(row),
    name: row.name,
    kind: row.kind,
    attributes: row.attributes,
    tags: row.tags,
    health: row.health.toUpperCase(),
    siteId: row.siteId,
    customerId: row.customerId,
    currentDeviceId: row.currentDeviceId,
    version: row.version,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}
export type AssetView = ReturnType<typeof assetView>;

export function bindingView(row: AssetBindingRow) {
  return {
    tenantId: row.tenantId,
    deviceId: row.deviceId,
    from: iso(row.boundAt),
    to: iso(row.unboundAt),
    boundBy: row.boundBy,
    boundReason: row.boundReason,
    unboundBy: row.unboundBy,
    unboundReason: row.unboundReason,
  };
}
export type BindingView = ReturnType<typeof bindingView>;

export function deviceNode(state: DeviceTwinState) {
  return { __typename: 'Device' as const, ...deviceView(state) };
}
export type DeviceNode = ReturnType<typeof deviceNode>;
