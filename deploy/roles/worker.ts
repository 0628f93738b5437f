// `npm run worker`: the Temporal worker that runs twin and operation workflows.
import { createDatabase } from '../../db/client';
import { migrateDatabase } from '../../db/migrate';
import { startWorker } from '../../workflows/worker/start-worker';
import { parseConfig, workerConfig } from '../config';
import { createLogger } from '../logger';
import { runProcess } from '../process';
import { installTemporalLogging } from '../temporal-runtime';

await runProcess(async (onStop) => {
  const config = parseConfig(workerConfig, 'worker');
  const logger = createLogger({
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
    name: 'worker',
  });
  installTemporalLogging(logger);
  await migrateDatabase(config.DATABASE_URL);
  const database = createDatabase(config.DATABASE_URL);
  onStop(database.close);
  const worker = await startWorker({
    temporalAddress: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    database,
  });
  onStop(worker.stop);
  logger.info({ temporal: config.TEMPORAL_ADDRESS }, 'worker running');
  return logger;
});
