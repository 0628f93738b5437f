export {
  allocate,
  type Allocation,
  type AllocationInput,
  type IdleConnectors,
  type SessionShare,
} from './allocate';
export { chargingPointsOf } from './charging-points';
export { defaultChanges, type DefaultChange, type DefaultSent } from './default-changes';
export * from './codes';
export { priorityOf, type ChargingSessionLoad, type LoadPolicy } from './load-policy';
export { limitSteps, type ChargingRateUnit, type SiteLimit } from './site-limit';
export {
  clearProfileRequest,
  LOAD_MANAGER_DEFAULT_PROFILE_ID,
  LOAD_MANAGER_PROFILE_ID_BASE,
  LOAD_MANAGER_STACK_LEVEL,
  txDefaultProfileRequest,
  txProfileRequest,
  type StationProtocol,
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
  type SiteStationFact,
} from './offline-stations';
