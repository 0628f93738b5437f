// The body of deploy/cluster/start.ts (its entry point checks the Node version first).
import path from 'node:path';
import { appRoleFor } from '../../db/app-grants';
import { migrateDatabase } from '../../db/migrate';
import { ensureAppRole } from '../../db/app-role';
import { clusterConfig, parseConfig } from '../config';
import { embeddedLedgerKey } from '../ledger-key';
import { createLogger } from '../logger';
import { runProcess } from '../process';
import { firstAdmin } from '../embedded/first-admin';
import { DATA_DIR } from '../embedded/paths';
import { publishApiUrl, roleRows, shownPath } from '../embedded/url-table';
import { startPrivatePostgres } from '../embedded/postgres';
import { resolveClusterBinaries } from './binaries';
import { startRoleProcess, type RoleProcessSpec } from './roles';
import { startBalancer } from './balancer';
import { clusterTopology, writeTopology } from './topology';
import { stopLeftovers, type SupervisedProcess } from './supervised-process';
import { startTemporalCluster, type TemporalCluster } from './temporal-cluster';
import { postgresServerOf } from './temporal-databases';

/** Doppel's own database in the private cluster: not the embedded profile's, whose twins live in another Temporal. */
const CLUSTER_DATABASE = 'doppel_cluster';

await runProcess(async (onStop) => {
  const config = parseConfig(clusterConfig, 'cluster profile');
  const logger = createLogger({
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
    name: 'cluster',
  });
  const log = (line: string) => logger.info(line);
  const stateDir = path.join(DATA_DIR, 'cluster');
  const started: SupervisedProcess[] = [];
  const supervise = {
    runDir: path.join(stateDir, 'run'),
    logDir: path.join(DATA_DIR, 'logs', 'cluster'),
    // Stopped in reverse order of start, whether the start finished or not.
    onStarted: (proc: SupervisedProcess) => {
      onStop(proc.stop);
      started.push(proc);
    },
    // A process that dies on its own is reported; the others keep running (several of a
    // role may run, and a fault test kills one on purpose).
    onUnexpectedExit: (name: string, code: number | null, signal: NodeJS.Signals | null) =>
      logger.error(
        { process: name, code, signal },
        `${name} exited unexpectedly; see ${path.join(supervise.logDir, `${name}.log`)}${config.CLUSTER_RESTART_AFTER_MS ? `; starting it again in ${config.CLUSTER_RESTART_AFTER_MS} ms` : ''}`,
      ),
    ...(config.CLUSTER_RESTART_AFTER_MS
      ? {
          restartAfterMs: config.CLUSTER_RESTART_AFTER_MS,
          onRestarted: (proc: SupervisedProcess) =>
            logger.warn({ process: proc.name, pid: proc.child.pid }, `${proc.name} started again`),
        }
      : {}),
  };
  await stopLeftovers(supervise.runDir, log);

  // Built (first start only) before anything runs: a failed build leaves nothing to stop.
  const binaries = config.TEMPORAL_ADDRESS ? null : await resolveClusterBinaries(log);
  let privatePostgres: { url: string } | null = null;
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
    log('starting private PostgreSQL');
    const pg = await startPrivatePostgres({
      dataDir: path.join(DATA_DIR, 'postgres'),
      port: config.POSTGRES_PORT,
      database: CLUSTER_DATABASE,
      logFile: path.join(DATA_DIR, 'logs', 'postgres.log'),
      // Four Temporal services hold up to 24 connections each, every role a pool of its own.
      settings: { max_connections: 300 },
      ...(config.CLUSTER_RESTART_AFTER_MS
        ? {
            restartAfterMs: config.CLUSTER_RESTART_AFTER_MS,
            onUnexpectedExit: (code: number | null, signal: NodeJS.Signals | null) =>
              logger.error(
                { process: 'postgres', code, signal },
                `PostgreSQL stopped unexpectedly; starting it again in ${config.CLUSTER_RESTART_AFTER_MS} ms`,
              ),
          }
        : {}),
    });
    onStop(pg.stop);
    privatePostgres = pg;
  }
  // As in `npm start`: the private cluster's roles connect as doppel_app, which owns nothing,
  // and migrations run as its superuser; a given DATABASE_URL follows MIGRATION_DATABASE_URL.
  const migrationUrl = config.DATABASE_URL
    ? (config.MIGRATION_DATABASE_URL ?? config.DATABASE_URL)
    : privatePostgres!.url;
  const databaseUrl =
    config.DATABASE_URL ??
    (await ensureAppRole(privatePostgres!.url, path.join(DATA_DIR, 'postgres.app-password')));

  let temporal: TemporalCluster | null = null;
  if (binaries) {
    temporal = await startTemporalCluster({
      binaries,
      postgres: postgresServerOf(privatePostgres!.url),
      stateDir,
      frontendPort: config.TEMPORAL_PORT,
      ...(config.TEMPORAL_UI_PORT ? { uiPort: config.TEMPORAL_UI_PORT } : {}),
      namespace: config.TEMPORAL_NAMESPACE,
      historyShards: config.TEMPORAL_HISTORY_SHARDS,
      historyNodes: config.TEMPORAL_HISTORY_NODES,
      supervise,
      log,
    });
  }
  const temporalAddress = config.TEMPORAL_ADDRESS ?? temporal!.address;

  await migrateDatabase(migrationUrl, {
    appRole: appRoleFor({ migrationUrl, databaseUrl, appRole: config.DATABASE_APP_ROLE }),
  });
  const admin =
    config.API_JWT_SECRET || config.API_JWT_PUBLIC_KEY || config.API_JWT_JWKS_URL
      ? null
      : await firstAdmin(DATA_DIR);
  const backends = {
    DATABASE_URL: databaseUrl,
    MIGRATION_DATABASE_URL: migrationUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE,
    LOG_LEVEL: config.LOG_LEVEL,
  };
  if (!config.LEDGER_SIGNING_KEY && !config.LEDGER_SIGNING_KEY_FILE) embeddedLedgerKey(DATA_DIR);
  const topology = await clusterTopology(config);
  const workerEnv = {
    ...backends,
    ...(config.LEDGER_SIGNING_KEY || config.LEDGER_SIGNING_KEY_FILE
      ? {}
      : { LEDGER_SIGNING_KEY_FILE: path.join(DATA_DIR, 'ledger-signing-key.pem') }),
  };
  // The console links twins to the cluster's UI server unless told another (an external cluster's).
  const temporalUiUrl = config.DOPPEL_TEMPORAL_UI_URL ?? temporal?.uiUrl;
  const apiEnv = {
    ...backends,
    ...(admin ? { API_JWT_SECRET: admin.secret } : {}),
    ...(temporalUiUrl ? { DOPPEL_TEMPORAL_UI_URL: temporalUiUrl } : {}),
  };
  const roles: RoleProcessSpec[] = topology.nodes.map((node) => ({
    role: node.role,
    name: node.name,
    ...(node.port ? { readyPort: node.port } : {}),
    // Several workers and APIs share this machine: each takes a free metrics port (logged).
    env:
      node.role === 'worker'
        ? { ...workerEnv, WORKER_METRICS_PORT: '0' }
        : node.role === 'api'
          ? {
              ...apiEnv,
              API_METRICS_PORT: '0',
              API_HOST: topology.balanced ? '127.0.0.1' : config.API_HOST,
              API_PORT: String(node.port),
            }
          : {
              ...backends,
              GATEWAY_NODE_ID: node.name,
              GATEWAY_HOST: topology.balanced ? '127.0.0.1' : config.GATEWAY_HOST,
              GATEWAY_PORT: String(node.port),
              GATEWAY_METRICS_PORT: String(node.metricsPort),
              // Behind HAProxy, the device's address arrives in a PROXY protocol header.
              ...(topology.balanced
                ? {
                    GATEWAY_TRUSTED_PROXIES: [process.env.GATEWAY_TRUSTED_PROXIES, '127.0.0.1']
                      .filter(Boolean)
                      .join(','),
                  }
                : {}),
            },
  }));
  for (const spec of roles) {
    log(`starting ${spec.name}`);
    await startRoleProcess(spec, supervise);
  }
  if (topology.balanced) {
    log('starting the load balancer (HAProxy)');
    await startBalancer(topology.balanced, stateDir, supervise);
  }
  writeTopology(stateDir, topology);

  onStop(await publishApiUrl(DATA_DIR, config.API_HOST, config.API_PORT));

  const rows = roleRows(
    config,
    { gateway: config.GATEWAY_PORT, metrics: config.GATEWAY_METRICS_PORT, api: config.API_PORT },
    admin?.tokenFile ?? null,
  );
  const lines = [
    'Doppel is running (cluster profile).',
    ...rows.head,
    `  Temporal UI      ${temporal?.uiUrl ?? '(external cluster: use its own UI)'}`,
    `  Temporal         ${temporalAddress}${temporal ? `  (Temporal server, ${temporal.historyShards} history shards, PostgreSQL persistence and visibility)` : '  (TEMPORAL_ADDRESS)'}`,
    `  PostgreSQL       ${config.DATABASE_URL ? 'DATABASE_URL' : `127.0.0.1:${config.POSTGRES_PORT}  (private cluster in ${shownPath(path.join(DATA_DIR, 'postgres'))}, database ${CLUSTER_DATABASE})`}`,
    ...(topology.balanced
      ? [
          `  Load balancer    HAProxy (L4) on ${topology.balanced.map((b) => `${b.name} :${b.port} → ${b.nodes.map((n) => `:${n.port}`).join(' ')}`).join(', ')}`,
        ]
      : []),
    ...topology.nodes
      .filter((n) => n.metricsPort && n.metricsPort !== config.GATEWAY_METRICS_PORT)
      .map(
        (n) =>
          `  ${n.name.padEnd(15)}  http://${config.GATEWAY_METRICS_HOST}:${n.metricsPort}/metrics`,
      ),
    `  Processes        ${started.map((p) => `${p.name} ${p.child.pid}`).join(', ')}`,
    `  Logs             ${shownPath(supervise.logDir)}/<process>.log`,
    rows.tenantsUrls,
    'Press Ctrl-C to stop.',
  ];
  console.log(`\n${lines.join('\n')}\n`);
  return logger;
});
