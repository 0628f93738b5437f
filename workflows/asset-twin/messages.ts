import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AssetCommand, AssetTwinState, DeviceStatus } from '../../twins/asset';
import type { AssetKey } from '../../twins/ids';

export type { DeviceStatus } from '../../twins/asset';

/** Public message definitions of the asset twin (`asset:<tenant>:<assetId>`). */
export const ASSET_TWIN_WORKFLOW = 'assetTwin';

export interface AssetTwinArgs extends AssetKey {
  /** Carried over by continue-as-new. */
  readonly state?: AssetTwinState;
  readonly pending?: readonly AssetCommand[];
}

export interface CreateAssetRequest {
  readonly actor: string;
  readonly name: string;
  readonly kind?: string | null;
  readonly siteId: string | null;
  readonly customerId: string | null;
  readonly attributes?: Record<string, unknown>;
  readonly tags?: readonly string[];
}

export interface SetAssetAttributesRequest {
  readonly actor: string;
  /** A merge patch: nested objects merge, `null` deletes a key. */
  readonly attributes?: Record<string, unknown>;
  readonly name?: string;
  readonly tags?: readonly string[];
}

export interface BindDeviceRequest {
  readonly actor: string;
  readonly deviceId: string;
  /** Why, kept in the asset's binding history. */
  readonly reason?: string;
}

export interface UnbindDeviceRequest {
  readonly actor: string;
  /** When given, it must be the bound device (guards against unbinding a newer one). */
  readonly deviceId?: string;
  /** Why, kept in the asset's binding history. */
  readonly reason?: string;
}

/** What every asset update answers: the twin's version once the change is projected. */
export interface AssetChangeResult {
  readonly version: number;
}

/** What a bound device tells its asset whenever its lifecycle or connectivity changes. */
export const deviceStatusSignal = defineSignal<[DeviceStatus]>('deviceStatus');
export const assetStateQuery = defineQuery<AssetTwinState>('assetState');
export const createAssetUpdate = defineUpdate<AssetChangeResult, [CreateAssetRequest]>(
  'createAsset',
);
export const setAssetAttributesUpdate = defineUpdate<
  AssetChangeResult,
  [SetAssetAttributesRequest]
>('setAssetAttributes');
/** Binds a device: the device twin is asked first and may refuse (`twin:binding.device-bound-elsewhere`). */
export const bindDeviceUpdate = defineUpdate<AssetChangeResult, [BindDeviceRequest]>('bindDevice');
export const unbindDeviceUpdate = defineUpdate<AssetChangeResult, [UnbindDeviceRequest]>(
  'unbindDevice',
);
