/**
 * Identifiers shared by every layer. Tenant and device ids are readable slugs, so that
 * workflow ids such as `device:acme:charger-17` stay readable in Temporal UI.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface DeviceKey {
  readonly tenantId: string;
  readonly deviceId: string;
}

/** @example deviceWorkflowId({ tenantId: 'acme', deviceId: 'c-17' }) === 'device:acme:c-17' */
export function deviceWorkflowId(key: DeviceKey): string {
  return `device:${key.tenantId}:${key.deviceId}`;
}

export function isValidId(value: string): boolean {
  return ID_PATTERN.test(value);
}

/**
 * The longest identity an OCPP station can have (1.6 chargeBoxIdentity, 2.0.1 identity:
 * CiString48): a longer device id can never connect over OCPP.
 */
export const OCPP_IDENTITY_MAX = 48;

export interface AssetKey {
  readonly tenantId: string;
  readonly assetId: string;
}

/** @example assetWorkflowId({ tenantId: 'acme', assetId: 'bay-3' }) === 'asset:acme:bay-3' */
export function assetWorkflowId(key: AssetKey): string {
  return `asset:${key.tenantId}:${key.assetId}`;
}
