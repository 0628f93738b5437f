export { CANONICAL_STATES, isCanonicalState, type CanonicalState } from './canonical-states';
export { convertUnit, roundSignificant, SIGNIFICANT_DIGITS } from './convert-unit';
export {
  deviceProfileSchema,
  PROTOCOLS,
  type DeviceProfile,
  type FieldSpec,
  type MappingEntry,
  type Protocol,
} from './device-profile';
export { RAW_SUFFIX } from './interpret-value';
export { PROFILE_INVALID, PROFILE_ISSUE, type ProfileIssue, type ProfileIssueCode } from './issues';
export { normaliseReport, type NormalisedReport } from './normalise-report';
export { parseDeviceProfile } from './parse-device-profile';
export { KNOWN_UNITS, UNITS, unitSpec, type Dimension, type UnitSpec } from './units';
export { applyQuirks, quirkRuleSchema, type QuirkRule } from './quirks';
export type {
  OcppSection,
  OcppVariable,
  StationAlarm,
  StationAlarmsSection,
} from './station-alarms';
