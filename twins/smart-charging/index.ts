export { allocate, type Allocation, type AllocationInput, type SessionShare } from './allocate';
export * from './codes';
export { priorityOf, type ChargingSessionLoad, type LoadPolicy } from './load-policy';
export { limitSteps, type ChargingRateUnit, type SiteLimit } from './site-limit';
export {
  LOAD_MANAGER_PROFILE_ID_BASE,
  LOAD_MANAGER_STACK_LEVEL,
  txProfileRequest,
  type ProfileLimit,
  type ProfileTarget,
} from './charging-profile';
export { profileChanges, type ProfileChange } from './profile-changes';
export { profileSummary, type ReportedProfile201 } from './profile-summary';
export {
  sessionIdOf,
  siteLoads,
  type OfflineSince,
  type SiteSessionFact,
} from './offline-stations';
