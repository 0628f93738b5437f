// The body of deploy/embedded/start.ts (its entry point checks the Node version first).
import { FsFileStore } from '../../db/file-store';
import path from 'node:path';
import { appRoleFor } from '../../db/app-grants';
import { createEgress } from '../../outbound/egress';
import { createDatabase } from '../../db/client';
import { migrateDatabase } from '../../db/migrate';
import { startGateway } from '../../gateway/start-gateway';
import { startApi } from '../../graphql/start-api';
import { startWorker } from '../../workflows/worker/start-worker';
import {
  alarmNotificationsOf,
  embeddedConfig,
  gatewayOptionsOf,
  jwtConfigOf,
  parseConfig,
  rateLimitOf,
} from '../config';
import { embeddedLedgerKey, ledgerKeyOf } from '../ledger-key';
import { firstAdmin } from './first-admin';
import { createLogger } from '../logger';
import { runProcess } from '../process';
import { warnIfPrivileged } from '../roles/boot-role';
import { installTemporalLogging, temporalCoreMetrics } from '../temporal-runtime';
import { ensureAppRole } from '../../db/app-role';
import { startInfrastructure } from './infrastructure';
import { DATA_DIR } from './paths';
import { startTracing } from '../../observability/tracing';
import { publishApiUrl, roleRows } from './url-table';
import { ensureConsole } from '../../graphql/console/build';

await runProcess(async (onStop) => {
  const config = parseConfig(embeddedConfig, 'embedded runtime');
  const logger = createLogger({
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
    name: 'doppel',
  });
  const traces = startTracing('doppel');
  if (traces) onStop(traces.shutdown);
  const core = await temporalCoreMetrics();
  installTemporalLogging(logger, core);
  const infra = await startInfrastructure({
    dataDir: DATA_DIR,
    namespace: config.TEMPORAL_NAMESPACE,
    ...(config.TEMPORAL_ADDRESS ? { temporalAddress: config.TEMPORAL_ADDRESS } : {}),
    temporalPort: config.TEMPORAL_PORT,
    temporalUiPort: config.TEMPORAL_UI_PORT,
    ...(config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : {}),
    postgresPort: config.POSTGRES_PORT,
    log: (line) => logger.info(line),
  });
  onStop(infra.stop);
  // The private cluster's roles connect as doppel_app, which owns nothing; migrations run as
  // the cluster's superuser. A given DATABASE_URL follows MIGRATION_DATABASE_URL as the roles do.
  const ownPostgres = infra.started.includes('postgres');
  const migrationUrl = ownPostgres
    ? infra.databaseUrl
    : (config.MIGRATION_DATABASE_URL ?? infra.databaseUrl);
  const databaseUrl = ownPostgres
    ? await ensureAppRole(infra.databaseUrl, path.join(DATA_DIR, 'postgres.app-password'))
    : infra.databaseUrl;
  await migrateDatabase(migrationUrl, {
    appRole: appRoleFor({ migrationUrl, databaseUrl, appRole: config.DATABASE_APP_ROLE }),
  });
  const database = createDatabase(databaseUrl);
  onStop(database.close);
  await warnIfPrivileged(database, logger);
  // Uploaded device log files, shared by the roles of this process.
  const files = new FsFileStore(
    path.resolve(config.DOPPEL_FILES_DIR ?? path.join(DATA_DIR, 'files')),
  );
  const backends = {
    files,
    temporalAddress: infra.temporalAddress,
    namespace: config.TEMPORAL_NAMESPACE,
    database,
    allowedNetworks: config.EGRESS_ALLOWED_NETWORKS,
  };

  logger.info('bundling workflows and starting the worker');
  const worker = await startWorker({
    ...backends,
    outboxRetentionMs: config.OUTBOX_RETENTION_HOURS * 3_600_000,
    ledgerSigningKey: ledgerKeyOf(config) ?? embeddedLedgerKey(DATA_DIR),
    ledgerCheckpoints: { intervalMs: config.LEDGER_CHECKPOINT_INTERVAL_S * 1000 },
    offlineGraceMs: config.DEVICE_OFFLINE_GRACE_MS,
    twinNoticeRate: config.TWIN_NOTICE_RATE,
    workflowCache: config.TWIN_WORKFLOW_CACHE,
    metricsHost: config.WORKER_METRICS_HOST,
    metricsPort: config.WORKER_METRICS_PORT,
    coreMetricsAddress: core.address,
    alarmNotifications: alarmNotificationsOf(config),
    logRetentionDays: config.DEVICE_LOG_RETENTION_DAYS,
    uploadRetentionDays: config.LOG_UPLOAD_RETENTION_DAYS,
  });
  onStop(worker.stop);
  const gateway = await startGateway({
    ...backends,
    ...gatewayOptionsOf(config),
    logger: logger.child({ role: 'gateway' }),
  });
  onStop(gateway.stop);
  // Without an identity provider configured, the embedded runtime signs its own admin token.
  const configured = jwtConfigOf(config);
  const admin =
    configured.secret || configured.publicKey || configured.jwksUrl
      ? null
      : await firstAdmin(DATA_DIR);
  // The API serves the operator console: rebuilt here when a source changed since the last build.
  await ensureConsole((line) => logger.info(line));
  const api = await startApi({
    ...backends,
    auth: admin ? { ...configured, secret: admin.secret } : configured,
    rateLimit: rateLimitOf(config),
    egress: createEgress(config.EGRESS_ALLOWED_NETWORKS),
    offlineGraceMs: config.DEVICE_OFFLINE_GRACE_MS,
    host: config.API_HOST,
    port: config.API_PORT,
    metricsHost: config.API_METRICS_HOST,
    metricsPort: config.API_METRICS_PORT,
    logger: logger.child({ role: 'api' }),
    // Devices on this machine reach the gateway here; set DEVICE_UPLOAD_URL for others.
    deviceUploadUrl: config.DEVICE_UPLOAD_URL ?? `http://127.0.0.1:${gateway.port}`,
    // The console links twins to the dev server's UI (an external cluster: set it to its UI).
    temporalUiUrl: config.DOPPEL_TEMPORAL_UI_URL ?? infra.temporalUiUrl ?? undefined,
    ocpiBaseUrl: config.OCPI_BASE_URL,
  });
  onStop(api.stop);
  onStop(await publishApiUrl(DATA_DIR, config.API_HOST, api.port));

  const rows = roleRows(
    config,
    { gateway: gateway.port, metrics: gateway.metricsPort, api: api.port },
    admin?.tokenFile ?? null,
  );
  const lines = [
    'Doppel is running.',
    ...rows.head,
    `  API metrics      http://${config.API_METRICS_HOST}:${api.metricsPort}/metrics`,
    `  Worker metrics   http://${config.WORKER_METRICS_HOST}:${worker.metricsPort}/metrics   (with Temporal Core's temporal_*)`,
    `  Temporal UI      ${infra.temporalUiUrl ?? '(external cluster: use its own UI)'}`,
    `  Temporal         ${infra.temporalAddress}${infra.started.includes('temporal') ? '  (dev server, data in .data/temporal.db)' : ''}`,
    `  PostgreSQL       ${infra.started.includes('postgres') ? `127.0.0.1:${config.POSTGRES_PORT}  (private cluster in .data/postgres)` : 'DATABASE_URL'}`,
    rows.tenantsUrls,
    'Press Ctrl-C to stop.',
  ];
  console.log(`\n${lines.join('\n')}\n`);
  return logger;
});
