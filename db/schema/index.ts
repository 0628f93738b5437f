export * from './device-twins';
export * from './device-credentials';
export * from './outbox';
export * from './device-lifecycle-history';
export * from './device-profiles';
export * from './graph';
export * from './charging-sessions';
export * from './telemetry';
