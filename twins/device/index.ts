export * from './state';
export type * from './commands';
export type * from './events';
export * from './lifecycle';
export { decide } from './decide';
export { evolve, evolveAll } from './evolve';
export * from './commands-queue';
export { nextCommandExpiry } from './decide-commands';
export * from './relevance';
