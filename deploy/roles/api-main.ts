// The body of deploy/roles/api.ts (its entry point checks the Node version first).
import path from 'node:path';
import { FsFileStore } from '../../db/file-store';
import { createEgress } from '../../outbound/egress';
import { startApi } from '../../graphql/start-api';
import { apiConfig, jwtConfigOf, rateLimitOf } from '../config';
import { runProcess } from '../process';
import { bootRole } from './boot-role';

await runProcess(async (onStop) => {
  const { config, logger, database } = await bootRole(apiConfig, 'api', onStop, { migrate: true });
  const api = await startApi({
    host: config.API_HOST,
    port: config.API_PORT,
    temporalAddress: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    database,
    logger,
    offlineGraceMs: config.DEVICE_OFFLINE_GRACE_MS,
    auth: jwtConfigOf(config),
    rateLimit: rateLimitOf(config),
    egress: createEgress(config.EGRESS_ALLOWED_NETWORKS),
    metricsHost: config.API_METRICS_HOST,
    metricsPort: config.API_METRICS_PORT,
    ...(config.WEBHOOK_TASK_QUEUE ? { webhookTaskQueue: config.WEBHOOK_TASK_QUEUE } : {}),
    files: new FsFileStore(path.resolve(config.DOPPEL_FILES_DIR)),
    deviceUploadUrl: config.DEVICE_UPLOAD_URL,
    temporalUiUrl: config.DOPPEL_TEMPORAL_UI_URL,
    ocpiBaseUrl: config.OCPI_BASE_URL,
  });
  onStop(api.stop);
  return logger;
});
