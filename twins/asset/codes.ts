/** Rejection codes of the asset twin. Callers compare by code: rejections cross Temporal. */
export const ASSET_NOT_FOUND = 'twin:asset.not-found';
export const ASSET_ALREADY_EXISTS = 'twin:asset.already-exists';
export const ASSET_NAME_REQUIRED = 'twin:asset.name-required';
export const ASSET_ALREADY_HAS_DEVICE = 'twin:asset.already-has-device';
export const ASSET_DEVICE_NOT_BOUND = 'twin:asset.device-not-bound';
/** Set by the device twin; the asset passes it on unchanged. */
export const DEVICE_BOUND_ELSEWHERE = 'twin:binding.device-bound-elsewhere';
/** The device twin could not be reached to agree on a binding; retrying is safe. */
export const DEVICE_UNREACHABLE = 'twin:binding.device-unreachable';
