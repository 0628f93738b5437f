import { TEST_ALLOWED_NETWORKS } from './egress';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { PROJECT_ROOT } from '../../deploy/embedded/paths';
import { migrationEnv } from './migration-env';
import { stderrOf } from './process-stderr';
import { TEST_JWT_SECRET } from './auth';

/**
 * An API in its own process (the api role, as `npm run api` runs it) on a free port, against
 * the given Temporal and PostgreSQL. Resolves with its GraphQL URL once it listens.
 */
export async function startApiProcess(
  backends: { temporalAddress: string; databaseUrl: string },
  options: { env?: Record<string, string> } = {},
) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(PROJECT_ROOT, 'deploy/roles/api.ts')],
    {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
        API_HOST: '127.0.0.1',
        API_PORT: '0',
        API_METRICS_PORT: '0',
        TEMPORAL_ADDRESS: backends.temporalAddress,
        DATABASE_URL: backends.databaseUrl,
        API_JWT_SECRET: TEST_JWT_SECRET,
        EGRESS_ALLOWED_NETWORKS: TEST_ALLOWED_NETWORKS.join(','),
        ...(await migrationEnv()),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let output = '';
  const errors = stderrOf(child);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`api did not start:\n${output}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const listening = output
        .split('\n')
        .slice(0, -1) // the last piece may be half a line
        .map((line) => (line.startsWith('{') ? (JSON.parse(line) as Record<string, unknown>) : {}))
        .find((entry) => entry.msg === 'GraphQL API listening');
      if (listening) {
        clearTimeout(timer);
        resolve(listening.port as number);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`api exited with ${code}:\n${output}${errors()}`));
    });
  });
  child.stdout!.resume();
  return {
    /** What it logged so far (JSON lines). */
    output: () => output,
    apiUrl: `http://127.0.0.1:${port}/graphql`,
    pid: child.pid!,
    async stop() {
      process.kill(-child.pid!, 'SIGTERM');
      await once(child, 'exit').catch(() => {});
    },
  };
}
