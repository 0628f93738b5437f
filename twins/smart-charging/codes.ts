/** Rejection codes of site load management. Callers compare by code: rejections cross Temporal. */
export const LIMIT_INVALID = 'twin:smart-charging.limit-invalid';
export const POLICY_INVALID = 'twin:smart-charging.policy-invalid';
export const SESSION_INVALID = 'twin:smart-charging.session-invalid';
