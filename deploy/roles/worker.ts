// `npm run worker`: the Temporal worker that runs twin and operation workflows.
import { startWorker } from '../../workflows/worker/start-worker';
import { workerConfig } from '../config';
import { runProcess } from '../process';
import { installTemporalLogging } from '../temporal-runtime';
import { bootRole } from './boot-role';

await runProcess(async (onStop) => {
  const { config, logger, database } = await bootRole(workerConfig, 'worker', onStop, {
    migrate: true,
  });
  installTemporalLogging(logger);
  const worker = await startWorker({
    temporalAddress: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    database,
    outboxRetentionMs: config.OUTBOX_RETENTION_HOURS * 3_600_000,
    ...(config.TEMPORAL_TASK_QUEUE ? { taskQueue: config.TEMPORAL_TASK_QUEUE } : {}),
  });
  onStop(worker.stop);
  logger.info({ temporal: config.TEMPORAL_ADDRESS }, 'worker running');
  return logger;
});
