import type { AssetKey } from '../ids';
import type { JsonObject } from '../shadow';
import type { DeviceStatus } from './device-status';

export const ASSET_HEALTHS = ['ok', 'degraded', 'down', 'unknown'] as const;
/** How well the asset does its job, derived from its bound device (see `assetHealth`). */
export type AssetHealth = (typeof ASSET_HEALTHS)[number];

/** The device installed in the asset now, and since when. */
export interface CurrentDevice {
  readonly deviceId: string;
  readonly since: string;
}

/** Everything an asset twin knows. Plain data: it is workflow state and the projection. */
export interface AssetTwinState extends AssetKey {
  readonly name: string;
  readonly kind: string | null;
  /** Where the asset stands in the twin graph; the customer is the site's customer. */
  readonly siteId: string | null;
  readonly customerId: string | null;
  /** Business attributes (rated power, bay number, …): free JSON, changed by merge patch. */
  readonly attributes: JsonObject;
  readonly tags: readonly string[];
  readonly device: CurrentDevice | null;
  /**
   * The newest status of each device that was ever bound here (by device twin version), so a
   * late status of a former device never overwrites what is known about the current one.
   */
  readonly deviceStatus: Readonly<Record<string, DeviceStatus>>;
  readonly health: AssetHealth;
  /** Incremented by every event; the projection and subscribers order by it. */
  readonly version: number;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
}

export function initialAssetState(key: AssetKey): AssetTwinState {
  return {
    tenantId: key.tenantId,
    assetId: key.assetId,
    name: '',
    kind: null,
    siteId: null,
    customerId: null,
    attributes: {},
    tags: [],
    device: null,
    deviceStatus: {},
    health: 'unknown',
    version: 0,
    createdAt: null,
    updatedAt: null,
  };
}
