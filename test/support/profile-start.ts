import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '../../deploy/embedded/child-process';
import { PROJECT_ROOT } from '../../deploy/embedded/paths';

/**
 * A start script (`npm start`'s deploy/embedded/start.ts, `npm run start:cluster`'s
 * deploy/cluster/start.ts) as a newcomer runs it, with its state in `dataDir`: resolves once
 * it prints its URL table, exits, or `timeoutMs` passes.
 */
export async function startProfile(
  script: string,
  dataDir: string,
  env: Record<string, string>,
  timeoutMs = 150_000,
) {
  const child = spawn(path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'), [script], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env, DOPPEL_DATA_DIR: dataDir, LOG_FORMAT: 'json' },
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + timeoutMs;
  while (
    !output.includes('Press Ctrl-C to stop.') &&
    child.exitCode === null &&
    Date.now() < deadline
  ) {
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, output: () => output };
}

/** Ctrl-C; resolves with the exit code once everything it wrote has been read. */
export async function interrupt(child: ChildProcess): Promise<number | null> {
  // Already gone (it failed to start): 'close' has come and gone.
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, 'close');
  child.kill('SIGINT');
  const [code] = (await exited) as [number | null];
  return code;
}

export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(
      { host: '127.0.0.1', port },
      () => (socket.destroy(), resolve(true)),
    );
    socket.on('error', () => resolve(false));
  });
}

/** A free port for each of a profile's listeners, and the same as environment variables. */
export async function profilePorts() {
  const ports = {
    TEMPORAL_PORT: await freePort(),
    TEMPORAL_UI_PORT: await freePort(),
    POSTGRES_PORT: await freePort(),
    GATEWAY_PORT: await freePort(),
    GATEWAY_METRICS_PORT: await freePort(),
    API_PORT: await freePort(),
    API_METRICS_PORT: await freePort(),
    WORKER_METRICS_PORT: await freePort(),
  };
  const env = Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)]));
  return { ports, env };
}
