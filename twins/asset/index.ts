export * from './state';
export * from './codes';
export type * from './commands';
export type * from './events';
export { deviceStatusOf, type DeviceStatus } from './device-status';
export { assetHealth } from './health';
export { decide } from './decide';
export { evolve, evolveAll } from './evolve';
