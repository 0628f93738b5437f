export { allocate, type Allocation, type AllocationInput, type SessionShare } from './allocate';
export * from './codes';
export { priorityOf, type ChargingSessionLoad, type LoadPolicy } from './load-policy';
export { limitSteps, type ChargingRateUnit, type SiteLimit } from './site-limit';
