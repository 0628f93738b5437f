/** Rejection codes of the shadow. Callers compare by code: rejections cross Temporal. */
export const SHADOW_VERSION_CONFLICT = 'twin:shadow.version-conflict';
export const SHADOW_INVALID_PATCH = 'twin:shadow.invalid-patch';
