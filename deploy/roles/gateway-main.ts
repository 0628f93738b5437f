// The body of deploy/roles/gateway.ts (its entry point checks the Node version first).
import path from 'node:path';
import { FsFileStore } from '../../db/file-store';
import { startGateway } from '../../gateway/start-gateway';
import { gatewayConfig } from '../config';
import { runProcess } from '../process';
import { installTemporalLogging } from '../temporal-runtime';
import { bootRole } from './boot-role';

await runProcess(async (onStop) => {
  const { config, logger, database } = await bootRole(gatewayConfig, 'gateway', onStop, {
    migrate: false,
  });
  installTemporalLogging(logger);
  const gateway = await startGateway({
    host: config.GATEWAY_HOST,
    port: config.GATEWAY_PORT,
    nodeId: config.GATEWAY_NODE_ID,
    temporalAddress: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    database,
    logger,
    helloTimeoutMs: config.GATEWAY_HELLO_TIMEOUT_MS,
    maxPayloadBytes: config.GATEWAY_MAX_PAYLOAD_BYTES,
    offlineGraceMs: config.DEVICE_OFFLINE_GRACE_MS,
    idleTimeoutS: config.GATEWAY_IDLE_TIMEOUT_S,
    admissionRatePerSecond: config.GATEWAY_ADMISSION_RATE,
    flapLimit: config.GATEWAY_FLAP_LIMIT,
    metricsHost: config.GATEWAY_METRICS_HOST,
    metricsPort: config.GATEWAY_METRICS_PORT,
    loginFailuresPerDevice: config.GATEWAY_LOGIN_FAILURES_PER_DEVICE,
    loginFailuresPerSource: config.GATEWAY_LOGIN_FAILURES_PER_SOURCE,
    maxUpgradesInFlight: config.GATEWAY_UPGRADES_IN_FLIGHT,
    trustedProxies: config.GATEWAY_TRUSTED_PROXIES,
    allowedNetworks: config.EGRESS_ALLOWED_NETWORKS,
    uwsBinary: config.GATEWAY_UWS_BINARY,
    files: new FsFileStore(path.resolve(config.DOPPEL_FILES_DIR)),
    maxUploadBytes: config.LOG_UPLOAD_MAX_BYTES,
    logLinesPerSecond: config.DEVICE_LOG_LINES_PER_S,
  });
  onStop(gateway.stop);
  return logger;
});
