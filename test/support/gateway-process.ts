import { TEST_ALLOWED_NETWORKS } from './egress';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { freePort, waitForPort } from '../../deploy/embedded/child-process';
import { PROJECT_ROOT } from '../../deploy/embedded/paths';

/**
 * A gateway in its own process (the gateway role, as `npm run gateway` runs it), for tests that
 * crash it and benchmarks that measure it. Node runs the role with tsx's loader, so `pid` is
 * the gateway itself; it has its own process group, so a crash takes anything it started.
 */
export async function startGatewayProcess(
  backends: { temporalAddress: string; databaseUrl: string },
  nodeId: string,
  options: {
    port?: number;
    env?: Record<string, string>;
    nodeArgs?: string[];
    /** Receives what the process writes to stderr (otherwise ignored). */
    stderr?: (chunk: string) => void;
  } = {},
) {
  const port = options.port ?? (await freePort());
  const metricsPort = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      '--import',
      'tsx',
      path.join(PROJECT_ROOT, 'deploy/roles/gateway.ts'),
    ],
    {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'warn',
        GATEWAY_HOST: '127.0.0.1',
        GATEWAY_PORT: String(port),
        GATEWAY_METRICS_PORT: String(metricsPort),
        GATEWAY_NODE_ID: nodeId,
        TEMPORAL_ADDRESS: backends.temporalAddress,
        DATABASE_URL: backends.databaseUrl,
        EGRESS_ALLOWED_NETWORKS: TEST_ALLOWED_NETWORKS.join(','),
        ...options.env,
      },
      stdio: ['ignore', 'ignore', options.stderr ? 'pipe' : 'ignore'],
      detached: true,
    },
  );
  if (options.stderr) child.stderr!.on('data', (d: Buffer) => options.stderr!(d.toString()));
  await waitForPort('127.0.0.1', port, { timeoutMs: 30_000, child, what: `gateway ${nodeId}` });
  return {
    url: `ws://127.0.0.1:${port}/device`,
    port,
    metricsPort,
    pid: child.pid!,
    /** SIGKILL: no close frames, no disconnects, nothing flushed. */
    async crash() {
      process.kill(-child.pid!, 'SIGKILL');
      await once(child, 'exit').catch(() => {});
    },
  };
}
