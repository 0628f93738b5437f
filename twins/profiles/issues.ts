/** Codes of what `normaliseReport` found odd in a report. Reports are never refused for them. */
export const PROFILE_ISSUE = {
  modelUnknown: 'profile:model.unknown',
  fieldUnknown: 'profile:field.unknown',
  typeMismatch: 'profile:field.type-mismatch',
  outOfRange: 'profile:field.out-of-range',
  duplicate: 'profile:field.duplicate',
  stateUnknownValue: 'profile:state.unknown-value',
} as const;
export type ProfileIssueCode = (typeof PROFILE_ISSUE)[keyof typeof PROFILE_ISSUE];

/**
 * One finding. `field` is the name as the device sent it (a dot path when nested), so the
 * value can be found in the raw report.
 */
export interface ProfileIssue {
  readonly field: string;
  readonly code: ProfileIssueCode;
  readonly message: string;
}

/** Code of `parseDeviceProfile`'s rejection. */
export const PROFILE_INVALID = 'profile:invalid';
