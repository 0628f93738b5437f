import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { waitForPort } from '../embedded/child-process';
import { keptServicePorts } from './service-port';
import type { ClusterBinaries } from './binaries';
import { ensureNamespace } from './namespace';
import {
  startSupervised,
  type SupervisedOptions,
  type SupervisedProcess,
} from './supervised-process';
import {
  historyShardsToUse,
  persistedHistoryShards,
  prepareTemporalDatabases,
  type PostgresServer,
} from './temporal-databases';
import { TEMPORAL_SERVICES, writeTemporalConfig, type TemporalService } from './temporal-config';

export interface TemporalClusterOptions {
  binaries: ClusterBinaries;
  postgres: PostgresServer;
  /** Holds the generated config (temporal/) next to the profile's other state. */
  stateDir: string;
  frontendPort: number;
  /** Omitted: no UI. */
  uiPort?: number;
  namespace: string;
  /** TEMPORAL_HISTORY_SHARDS; undefined = the persisted count, or the default for a new cluster. */
  historyShards: number | undefined;
  /** TEMPORAL_HISTORY_NODES: history processes sharing the shards (one takes over a dead one's). */
  historyNodes: number;
  supervise: Pick<
    SupervisedOptions,
    'runDir' | 'logDir' | 'onStarted' | 'onUnexpectedExit' | 'restartAfterMs' | 'onRestarted'
  >;
  log: (line: string) => void;
}

export interface TemporalCluster {
  readonly address: string;
  readonly uiUrl: string | null;
  readonly historyShards: number;
  /** Every process of the cluster, in start order (the launcher stops them in reverse). */
  readonly processes: SupervisedProcess[];
}

/**
 * The real Temporal server on PostgreSQL: the databases prepared, then history, matching,
 * frontend and worker as four processes, the UI server, the namespace and search attributes.
 * On failure the processes started so far are stopped before the error is thrown.
 */
export async function startTemporalCluster(opts: TemporalClusterOptions): Promise<TemporalCluster> {
  await prepareTemporalDatabases(opts.binaries.sqlTool, opts.postgres, opts.log);
  const historyShards = historyShardsToUse(
    opts.historyShards,
    await persistedHistoryShards(opts.postgres),
  );
  const configDir = path.join(opts.stateDir, 'temporal');
  const extraHistories = Array.from(
    { length: opts.historyNodes - 1 },
    (_, i) => `history-${i + 2}`,
  );
  const kept = await keptServicePorts(
    path.join(configDir, 'ports.json'),
    [...TEMPORAL_SERVICES, ...extraHistories].flatMap((s) =>
      s === 'frontend' ? [`${s}-membership`] : [`${s}-grpc`, `${s}-membership`],
    ),
    new Set([opts.frontendPort, opts.uiPort]),
  );
  const ports = Object.fromEntries(
    TEMPORAL_SERVICES.map((s) => [
      s,
      {
        grpc: s === 'frontend' ? opts.frontendPort : kept[`${s}-grpc`]!,
        membership: kept[`${s}-membership`]!,
      },
    ]),
  ) as Record<TemporalService, { grpc: number; membership: number }>;
  const settings = {
    postgres: opts.postgres,
    numHistoryShards: historyShards,
    logLevel: 'warn',
  } as const;
  const configFile = writeTemporalConfig(configDir, 'temporal-server.yaml', { ...settings, ports });
  // Every process of a service reads the same file but for its own ports: one file per extra
  // history node. They find each other through the cluster_membership table.
  const runs: Array<{ name: string; service: TemporalService; configFile: string; grpc: number }> =
    TEMPORAL_SERVICES.map((service) => ({
      name:
        service === 'history' && opts.historyNodes > 1
          ? 'temporal-history-1'
          : `temporal-${service}`,
      service,
      configFile,
      grpc: ports[service].grpc,
    }));
  for (const node of extraHistories) {
    const history = { grpc: kept[`${node}-grpc`]!, membership: kept[`${node}-membership`]! };
    runs.splice(
      runs.findIndex((r) => r.service === 'history') + extraHistories.indexOf(node) + 1,
      0,
      {
        name: `temporal-${node}`,
        service: 'history',
        configFile: writeTemporalConfig(configDir, `temporal-server-${node}.yaml`, {
          ...settings,
          ports: { ...ports, history },
        }),
        grpc: history.grpc,
      },
    );
  }
  const processes: SupervisedProcess[] = [];
  try {
    for (const run of runs) {
      opts.log(`starting Temporal ${run.name.slice('temporal-'.length)}`);
      const proc = startSupervised({
        ...opts.supervise,
        name: run.name,
        command: opts.binaries.server,
        args: [
          '--config-file',
          run.configFile,
          '--allow-no-auth',
          'start',
          '--service',
          run.service,
        ],
      });
      processes.push(proc);
      await waitForPort('127.0.0.1', run.grpc, {
        timeoutMs: 120_000,
        child: proc.child,
        what: `Temporal ${run.name} (log: ${proc.logFile})`,
      });
    }
    const address = `127.0.0.1:${opts.frontendPort}`;
    await ensureNamespace(address, opts.namespace, () => {
      const gone = processes.find((p) => p.child.exitCode !== null || p.child.signalCode !== null);
      return gone ? `${gone.name} exited (log: ${gone.logFile})` : null;
    });
    let uiUrl: string | null = null;
    if (opts.uiPort) {
      const ui = await startUiServer(opts, address);
      processes.push(ui);
      uiUrl = `http://127.0.0.1:${opts.uiPort}`;
    }
    return { address, uiUrl, historyShards, processes };
  } catch (error) {
    for (const proc of [...processes].reverse()) await proc.stop().catch(() => {});
    throw error;
  }
}

async function startUiServer(opts: TemporalClusterOptions, address: string) {
  const root = path.join(opts.stateDir, 'temporal-ui');
  mkdirSync(path.join(root, 'config'), { recursive: true });
  writeFileSync(
    path.join(root, 'config', 'development.yaml'),
    `${JSON.stringify(
      {
        temporalGrpcAddress: address,
        host: '127.0.0.1',
        port: opts.uiPort,
        enableUi: true,
        defaultNamespace: opts.namespace,
        notifyOnNewVersion: false,
        cors: { cookieInsecure: true, unsafeAllowAllOrigins: false },
      },
      null,
      2,
    )}\n`,
  );
  opts.log('starting Temporal UI');
  const ui = startSupervised({
    ...opts.supervise,
    name: 'temporal-ui',
    command: opts.binaries.uiServer,
    args: ['--root', root, '--config', 'config', '--env', 'development', 'start'],
  });
  try {
    await waitForPort('127.0.0.1', opts.uiPort!, {
      timeoutMs: 60_000,
      child: ui.child,
      what: `Temporal UI (log: ${ui.logFile})`,
    });
  } catch (error) {
    await ui.stop();
    throw error;
  }
  return ui;
}
