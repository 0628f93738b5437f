// `npm run api`: the GraphQL API (scale out: every process delivers every event to its subscribers).
import { createDatabase } from '../../db/client';
import { migrateDatabase } from '../../db/migrate';
import { startApi } from '../../graphql/start-api';
import { apiConfig, parseConfig } from '../config';
import { createLogger } from '../logger';
import { runProcess } from '../process';

await runProcess(async (onStop) => {
  const config = parseConfig(apiConfig, 'api');
  const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT, name: 'api' });
  await migrateDatabase(config.DATABASE_URL);
  const database = createDatabase(config.DATABASE_URL);
  onStop(database.close);
  const api = await startApi({
    host: config.API_HOST,
    port: config.API_PORT,
    temporalAddress: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    database,
    logger,
    offlineGraceMs: config.DEVICE_OFFLINE_GRACE_MS,
  });
  onStop(api.stop);
  return logger;
});
