import type { Logger } from 'pino';
import type { z } from 'zod';
import { appRoleFor } from '../../db/app-grants';
import { createDatabase, type Database } from '../../db/client';
import { migrateDatabase } from '../../db/migrate';
import { requireCurrentSchema } from '../../db/schema-version';
import { connectedRole, privilegedRoleWarning } from '../../db/role-privileges';
import { parseConfig } from '../config';
import { createLogger } from '../logger';
import { startTracing } from '../../observability/tracing';

type RoleConfig = {
  LOG_LEVEL: string;
  LOG_FORMAT: 'json' | 'pretty';
  DATABASE_URL: string;
  MIGRATION_DATABASE_URL?: string | undefined;
  DATABASE_APP_ROLE?: string | undefined;
  MIGRATE_AT_START?: boolean;
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
};

/**
 * What every role does first: parse its configuration once, make its logger, apply pending
 * migrations (when it owns them and MIGRATE_AT_START is not false) as the tables' owner, open
 * its database pool as the application role, refuse a schema older than this build when it did
 * not migrate, and warn when that role could undo the append-only triggers.
 */
export async function bootRole<S extends z.ZodType<RoleConfig>>(
  schema: S,
  role: string,
  onStop: (stop: () => Promise<void>) => void,
  options: { migrate: boolean },
): Promise<{ config: z.infer<S>; logger: ReturnType<typeof createLogger>; database: Database }> {
  const config = parseConfig(schema, role);
  const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT, name: role });
  // OTLP traces when OTEL_EXPORTER_OTLP_ENDPOINT is set; stopped last (stops run in reverse),
  // so the spans of the role's own shutdown are sent too.
  const traces = startTracing(`doppel-${role}`);
  if (traces) {
    onStop(traces.shutdown);
    logger.info({ endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT }, 'tracing on (OTLP)');
  }
  const migrating = options.migrate && config.MIGRATE_AT_START !== false;
  if (migrating) {
    const migrationUrl = config.MIGRATION_DATABASE_URL ?? config.DATABASE_URL;
    await migrateDatabase(migrationUrl, {
      appRole: appRoleFor({
        migrationUrl,
        databaseUrl: config.DATABASE_URL,
        appRole: config.DATABASE_APP_ROLE,
      }),
    });
  }
  const database = createDatabase(config.DATABASE_URL);
  onStop(database.close);
  if (options.migrate && !migrating) await requireCurrentSchema(database.sql, role);
  await warnIfPrivileged(database, logger);
  return { config, logger, database };
}

/** Logs `db:role.privileged` when the pool's user could disable the append-only triggers. */
export async function warnIfPrivileged(database: Database, logger: Logger): Promise<void> {
  const warning = privilegedRoleWarning(await connectedRole(database.sql));
  if (warning) logger.warn({ code: 'db:role.privileged' }, warning);
}
