// The body of deploy/roles/worker.ts (its entry point checks the Node version first).
import path from 'node:path';
import { FsFileStore } from '../../db/file-store';
import { startWorker } from '../../workflows/worker/start-worker';
import { alarmNotificationsOf, workerConfig } from '../config';
import { ledgerKeyOf } from '../ledger-key';
import { runProcess } from '../process';
import { installTemporalLogging, temporalCoreMetrics } from '../temporal-runtime';
import { bootRole } from './boot-role';

await runProcess(async (onStop) => {
  const { config, logger, database } = await bootRole(workerConfig, 'worker', onStop, {
    migrate: true,
  });
  const core = await temporalCoreMetrics();
  installTemporalLogging(logger, core);
  const ledgerSigningKey = ledgerKeyOf(config);
  if (!ledgerSigningKey)
    logger.warn('no LEDGER_SIGNING_KEY: this worker signs no ledger checkpoints (others may)');
  const worker = await startWorker({
    ...(ledgerSigningKey ? { ledgerSigningKey } : {}),
    ledgerCheckpoints: { intervalMs: config.LEDGER_CHECKPOINT_INTERVAL_S * 1000 },
    temporalAddress: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    database,
    outboxRetentionMs: config.OUTBOX_RETENTION_HOURS * 3_600_000,
    allowedNetworks: config.EGRESS_ALLOWED_NETWORKS,
    offlineGraceMs: config.DEVICE_OFFLINE_GRACE_MS,
    twinNoticeRate: config.TWIN_NOTICE_RATE,
    workflowCache: config.TWIN_WORKFLOW_CACHE,
    metricsHost: config.WORKER_METRICS_HOST,
    metricsPort: config.WORKER_METRICS_PORT,
    coreMetricsAddress: core.address,
    alarmNotifications: alarmNotificationsOf(config),
    files: new FsFileStore(path.resolve(config.DOPPEL_FILES_DIR)),
    logRetentionDays: config.DEVICE_LOG_RETENTION_DAYS,
    uploadRetentionDays: config.LOG_UPLOAD_RETENTION_DAYS,
    ...(config.TEMPORAL_TASK_QUEUE ? { taskQueue: config.TEMPORAL_TASK_QUEUE } : {}),
  });
  onStop(worker.stop);
  logger.info(
    {
      temporal: config.TEMPORAL_ADDRESS,
      metrics: `${config.WORKER_METRICS_HOST}:${worker.metricsPort}`,
    },
    'worker running',
  );
  return logger;
});
