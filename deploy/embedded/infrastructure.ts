import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateDatabase } from '../../db/migrate';
import { freePort } from './child-process';
import { startPrivatePostgres } from './postgres';
import { resolveTemporalCli, startTemporalDevServer } from './temporal-cli';

export interface InfrastructureOptions {
  /** Folder for the SQLite file, the PostgreSQL cluster and their logs. */
  dataDir: string;
  namespace: string;
  /** An existing Temporal cluster; otherwise a dev server is started. */
  temporalAddress?: string;
  temporalPort: number;
  /** Omitted: no UI (tests). */
  temporalUiPort?: number;
  /** An existing database; otherwise a private cluster is started. */
  databaseUrl?: string;
  postgresPort: number;
  /** In-memory Temporal and a PostgreSQL without fsync: tests only. */
  ephemeral?: boolean;
  temporalDynamicConfig?: Record<string, string | number | boolean>;
  log: (line: string) => void;
}

export interface Infrastructure {
  readonly temporalAddress: string;
  readonly temporalUiUrl: string | null;
  readonly databaseUrl: string;
  readonly started: string[];
  stop(): Promise<void>;
}

/** Temporal and PostgreSQL for the embedded stack and for the test suite. */
export async function startInfrastructure(opts: InfrastructureOptions): Promise<Infrastructure> {
  const stops: Array<() => Promise<void>> = [];
  const started: string[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    let temporalAddress = opts.temporalAddress;
    let temporalUiUrl: string | null = null;
    if (!temporalAddress) {
      const bin = await resolveTemporalCli(opts.log);
      opts.log(`starting Temporal dev server (${bin})`);
      const server = await startTemporalDevServer({
        bin,
        ...(opts.ephemeral ? {} : { dbFile: path.join(opts.dataDir, 'temporal.db') }),
        ip: '127.0.0.1',
        port: opts.temporalPort,
        ...(opts.temporalUiPort ? { uiPort: opts.temporalUiPort } : {}),
        namespace: opts.namespace,
        ...(opts.temporalDynamicConfig ? { dynamicConfig: opts.temporalDynamicConfig } : {}),
        logFile: path.join(opts.dataDir, 'logs', 'temporal.log'),
        pidFile: path.join(opts.dataDir, 'temporal.pid'),
      });
      stops.push(server.stop);
      started.push('temporal');
      temporalAddress = server.address;
      temporalUiUrl = server.uiUrl;
    }
    let databaseUrl = opts.databaseUrl;
    if (!databaseUrl) {
      opts.log('starting private PostgreSQL');
      const pg = await startPrivatePostgres({
        dataDir: path.join(opts.dataDir, 'postgres'),
        port: opts.postgresPort,
        database: 'doppel',
        logFile: path.join(opts.dataDir, 'logs', 'postgres.log'),
        ephemeral: opts.ephemeral ?? false,
      });
      stops.push(pg.stop);
      started.push('postgres');
      databaseUrl = pg.url;
    }
    return { temporalAddress, temporalUiUrl, databaseUrl, started, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Throw-away Temporal (in memory) and PostgreSQL (no fsync) on free ports in a temporary
 * folder, migrated: for the test suite, benchmarks and history capture. `stop()` removes it all.
 */
export async function startScratchInfrastructure(
  options: Pick<
    InfrastructureOptions,
    'temporalAddress' | 'databaseUrl' | 'temporalDynamicConfig'
  > & {
    log?: (line: string) => void;
  } = {},
): Promise<Infrastructure> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'doppel-scratch-'));
  chmodSync(dataDir, 0o755); // PostgreSQL runs as the postgres user when we are root
  const start = async () =>
    startInfrastructure({
      ...options,
      dataDir,
      namespace: 'default',
      temporalPort: await freePort(),
      postgresPort: await freePort(),
      ephemeral: true,
      log: options.log ?? (() => {}),
    });
  // A free port is only free until someone binds it: the dev server alone binds some twenty
  // random ones while starting, and may take the port picked for PostgreSQL (or lose its
  // own). Such a collision is retried with new ports.
  let infra: Infrastructure;
  for (let attempt = 1; ; attempt++) {
    try {
      infra = await start();
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
      (options.log ?? (() => {}))(
        `infrastructure did not start (${String(error)}); retrying with new ports`,
      );
    }
  }
  try {
    await migrateDatabase(infra.databaseUrl);
  } catch (error) {
    await infra.stop();
    throw error;
  }
  return {
    ...infra,
    async stop() {
      await infra.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
