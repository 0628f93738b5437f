import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { freePort, waitForPort } from '../../deploy/embedded/child-process';
import { PROJECT_ROOT } from '../../deploy/embedded/paths';

/**
 * A gateway in its own process (npm run gateway), for tests that crash it. It runs in its own
 * process group: tsx starts the gateway in a child process, and a crash must kill both.
 */
export async function startGatewayProcess(
  backends: { temporalAddress: string; databaseUrl: string },
  nodeId: string,
) {
  const port = await freePort();
  const child: ChildProcess = spawn(
    path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'),
    [path.join(PROJECT_ROOT, 'deploy/roles/gateway.ts')],
    {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'warn',
        GATEWAY_HOST: '127.0.0.1',
        GATEWAY_PORT: String(port),
        GATEWAY_NODE_ID: nodeId,
        TEMPORAL_ADDRESS: backends.temporalAddress,
        DATABASE_URL: backends.databaseUrl,
      },
      stdio: 'ignore',
      detached: true,
    },
  );
  await waitForPort('127.0.0.1', port, { timeoutMs: 30_000, child, what: `gateway ${nodeId}` });
  return {
    url: `ws://127.0.0.1:${port}/device`,
    /** SIGKILL: no close frames, no disconnects, nothing flushed. */
    async crash() {
      process.kill(-child.pid!, 'SIGKILL');
      await once(child, 'exit').catch(() => {});
    },
  };
}
