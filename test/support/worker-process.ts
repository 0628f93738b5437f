import { TEST_ALLOWED_NETWORKS } from './egress';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { PROJECT_ROOT } from '../../deploy/embedded/paths';
import { migrationEnv } from './migration-env';
import { stderrOf } from './process-stderr';
import { TEST_CHECKPOINT_INTERVAL_S, TEST_LEDGER_KEY } from './auth';

/**
 * A worker in its own process (the worker role, as `npm run worker` runs it) on its own task
 * queue, for tests that kill it mid-work. Resolves once it polls.
 */
export async function startWorkerProcess(
  backends: { temporalAddress: string; databaseUrl: string },
  taskQueue: string,
  options: { env?: Record<string, string> } = {},
) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(PROJECT_ROOT, 'deploy/roles/worker.ts')],
    {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
        TEMPORAL_ADDRESS: backends.temporalAddress,
        DATABASE_URL: backends.databaseUrl,
        TEMPORAL_TASK_QUEUE: taskQueue,
        WORKER_METRICS_PORT: '0',
        LEDGER_SIGNING_KEY: TEST_LEDGER_KEY,
        EGRESS_ALLOWED_NETWORKS: TEST_ALLOWED_NETWORKS.join(','),
        LEDGER_CHECKPOINT_INTERVAL_S: String(TEST_CHECKPOINT_INTERVAL_S),
        ...(await migrationEnv()),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let output = '';
  const errors = stderrOf(child);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('worker running')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${output}${errors()}`));
    });
  });
  child.stdout!.resume();
  return {
    pid: child.pid!,
    /** SIGKILL: the worker dies mid-task, as in a crash. */
    async crash() {
      process.kill(-child.pid!, 'SIGKILL');
      await once(child, 'exit').catch(() => {});
    },
  };
}
