import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateDatabase } from '../../db/migrate';
import { freePort } from '../embedded/child-process';
import type { Infrastructure } from '../embedded/infrastructure';
import { startPrivatePostgres } from '../embedded/postgres';
import { resolveClusterBinaries } from './binaries';
import type { SupervisedProcess } from './supervised-process';
import { startTemporalCluster } from './temporal-cluster';
import { postgresServerOf } from './temporal-databases';

/** Shards of a scratch cluster unless asked otherwise: a bench's default, not the profile's. */
export const SCRATCH_HISTORY_SHARDS = 16;

export interface ScratchClusterOptions {
  /** History shards of the new cluster (default 16). */
  historyShards?: number;
  log?: (line: string) => void;
}

/**
 * The cluster profile's backends, thrown away after: a private PostgreSQL with production
 * durability (fsync and synchronous_commit on) in a temporary folder, the real Temporal server
 * on it (history, matching, frontend and worker as four processes, no UI) with the `default`
 * namespace, and Doppel's database migrated. The same shape as startScratchInfrastructure's
 * result, so a benchmark runs on either; `stop()` stops every process and removes the folder.
 */
export async function startScratchCluster(
  options: ScratchClusterOptions = {},
): Promise<Infrastructure & { readonly historyShards: number }> {
  const log = options.log ?? (() => {});
  // Built (first use only) before anything runs: a failed build leaves nothing to stop.
  const binaries = await resolveClusterBinaries(log);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'doppel-scratch-cluster-'));
  chmodSync(dataDir, 0o755); // PostgreSQL runs as the postgres user when we are root
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
    stops.length = 0;
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    log('scratch cluster: starting private PostgreSQL (fsync on)');
    const pg = await startPrivatePostgres({
      dataDir: path.join(dataDir, 'postgres'),
      port: await freePort(),
      database: 'doppel',
      logFile: path.join(dataDir, 'logs', 'postgres.log'),
      ephemeral: false,
      // As the cluster profile: four Temporal services hold up to 24 connections each.
      settings: { max_connections: 300 },
    });
    stops.push(pg.stop);
    const processes: SupervisedProcess[] = [];
    stops.push(async () => {
      for (const proc of [...processes].reverse()) await proc.stop().catch(() => {});
    });
    const temporal = await startTemporalCluster({
      binaries,
      postgres: postgresServerOf(pg.url),
      stateDir: dataDir,
      frontendPort: await freePort(),
      namespace: 'default',
      historyShards: options.historyShards ?? SCRATCH_HISTORY_SHARDS,
      historyNodes: 1,
      supervise: {
        runDir: path.join(dataDir, 'run'),
        logDir: path.join(dataDir, 'logs'),
        onStarted: (proc) => processes.push(proc),
        onUnexpectedExit: (name, code, signal) =>
          log(`scratch cluster: ${name} exited unexpectedly (${signal ?? code})`),
      },
      log: (line) => log(`scratch cluster: ${line}`),
    });
    await migrateDatabase(pg.url);
    return {
      temporalAddress: temporal.address,
      temporalUiUrl: null,
      databaseUrl: pg.url,
      historyShards: temporal.historyShards,
      started: ['postgres', ...temporal.processes.map((p) => p.name)],
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
