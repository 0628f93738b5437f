import type { z } from 'zod';
import { createDatabase, type Database } from '../../db/client';
import { migrateDatabase } from '../../db/migrate';
import { parseConfig } from '../config';
import { createLogger } from '../logger';

type RoleConfig = {
  LOG_LEVEL: string;
  LOG_FORMAT: 'json' | 'pretty';
  DATABASE_URL: string;
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
};

/**
 * What every role does first: parse its configuration once, make its logger, apply pending
 * migrations (when it owns them) and open its database pool.
 */
export async function bootRole<S extends z.ZodType<RoleConfig>>(
  schema: S,
  role: string,
  onStop: (stop: () => Promise<void>) => void,
  options: { migrate: boolean },
): Promise<{ config: z.infer<S>; logger: ReturnType<typeof createLogger>; database: Database }> {
  const config = parseConfig(schema, role);
  const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT, name: role });
  if (options.migrate) await migrateDatabase(config.DATABASE_URL);
  const database = createDatabase(config.DATABASE_URL);
  onStop(database.close);
  return { config, logger, database };
}
