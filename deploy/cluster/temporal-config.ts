import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The four Temporal services; each runs as a process of its own (`--service`). */
export const TEMPORAL_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

export interface TemporalServerSettings {
  /** The PostgreSQL server holding the `temporal` and `temporal_visibility` databases. */
  postgres: { host: string; port: number; user: string; password: string };
  numHistoryShards: number;
  /** gRPC and membership (ringpop) port of every service; the frontend's gRPC port is the cluster's address. */
  ports: Record<TemporalService, { grpc: number; membership: number }>;
  dynamicConfigFile: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export const TEMPORAL_DATABASE = 'temporal';
export const TEMPORAL_VISIBILITY_DATABASE = 'temporal_visibility';

/**
 * The server's configuration, after the module's config/development-postgres12.yaml: PostgreSQL
 * persistence and visibility, loopback only, no archival, no pprof or metrics listeners (one
 * process per service would need a port each). JSON is YAML, so it is written as JSON.
 */
export function temporalServerConfig(settings: TemporalServerSettings): object {
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${settings.postgres.host}:${settings.postgres.port}`,
      connectProtocol: 'tcp',
      user: settings.postgres.user,
      password: settings.postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const services = Object.fromEntries(
    TEMPORAL_SERVICES.map((service) => [
      service,
      {
        rpc: {
          grpcPort: settings.ports[service].grpc,
          membershipPort: settings.ports[service].membership,
          bindOnIP: '127.0.0.1',
        },
      },
    ]),
  );
  return {
    log: { stdout: true, level: settings.logLevel, format: 'json' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      // Fixed when the cluster is created: the server ignores a later change (see history-shards.ts).
      numHistoryShards: settings.numHistoryShards,
      datastores: {
        'postgres-default': store(TEMPORAL_DATABASE, 20),
        'postgres-visibility': store(TEMPORAL_VISIBILITY_DATABASE, 4),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services,
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${settings.ports.frontend.grpc}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: settings.dynamicConfigFile, pollInterval: '10s' },
  };
}

/**
 * After the module's config/dynamicconfig/development-sql.yaml, without its versioning and
 * Nexus test settings. Search attributes added at start are read at once, as on the dev server.
 */
export const TEMPORAL_DYNAMIC_CONFIG = {
  'limit.maxIDLength': [{ value: 255, constraints: {} }],
  'system.forceSearchAttributesCacheRefreshOnRead': [{ value: true, constraints: {} }],
  'history.hostLevelCacheMaxSize': [{ value: 8192, constraints: {} }],
};

/** Writes the server's config and dynamic config into `dir`; returns the config file. */
export function writeTemporalConfig(
  dir: string,
  fileName: string,
  settings: Omit<TemporalServerSettings, 'dynamicConfigFile'>,
): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const dynamicConfigFile = path.join(dir, 'dynamic-config.yaml');
  writeFileSync(dynamicConfigFile, `${JSON.stringify(TEMPORAL_DYNAMIC_CONFIG, null, 2)}\n`);
  const configFile = path.join(dir, fileName);
  // It holds the database password: readable by its owner only.
  writeFileSync(
    configFile,
    `${JSON.stringify(temporalServerConfig({ ...settings, dynamicConfigFile }), null, 2)}\n`,
    { mode: 0o600 },
  );
  return configFile;
}
