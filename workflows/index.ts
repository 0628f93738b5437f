// The workflow bundle's entry: every workflow type the worker runs, and nothing else.
export { deviceTwin } from './device-twin/workflow';
export { assetTwin } from './asset-twin/workflow';
export { gatewayWatchdog } from './gateway-watchdog/workflow';
export { provisionDevice } from './provisioning/workflow';
export { retireDevice } from './fleet/retire';
export { replaceDevice } from './fleet/replace';
export { otaRollout } from './rollout/rollout';
export { rolloutWave } from './rollout/wave';
export { bulkProvision } from './bulk-provisioning/workflow';
export { webhookDelivery } from './webhook/workflow';
export { ocpiPush } from './ocpi-push/workflow';
export { ocpiTokenPull } from './ocpi-token-pull/workflow';
export { ocpiCommandResult } from './ocpi-command/workflow';
export { ocpiSessionPush } from './ocpi-sessions/workflow';
export { outboxRetention } from './outbox-retention/workflow';
export { ledgerCheckpoints } from './ledger-checkpoints/workflow';
export { siteLoadManager } from './site-load/workflow';
