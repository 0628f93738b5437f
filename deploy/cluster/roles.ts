import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { waitForPort } from '../embedded/child-process';
import { PROJECT_ROOT } from '../embedded/paths';
import {
  startSupervised,
  type SupervisedOptions,
  type SupervisedProcess,
} from './supervised-process';

export type Role = 'worker' | 'gateway' | 'api';

export interface RoleProcessSpec {
  role: Role;
  /** `worker-1`, `gateway-2`: unique among the profile's processes. */
  name: string;
  /** Added to the launcher's environment: ports, backends, secrets. */
  env: Record<string, string>;
  /** A port it listens on once ready; without one, its "worker running" log line. */
  readyPort?: number;
}

/**
 * One Doppel role as its own process, exactly as `npm run <role>` runs it (Node with tsx, the
 * role's entry point), its JSON log in logs/<name>.log. Resolves once it is ready.
 */
export async function startRoleProcess(
  spec: RoleProcessSpec,
  supervise: Pick<SupervisedOptions, 'runDir' | 'logDir' | 'onStarted' | 'onUnexpectedExit'>,
): Promise<SupervisedProcess> {
  // The log is appended to across starts: only what this start writes counts.
  const logStart = readLog(path.join(supervise.logDir, `${spec.name}.log`)).length;
  const proc = startSupervised({
    ...supervise,
    name: spec.name,
    command: process.execPath,
    args: ['--import', 'tsx', path.join(PROJECT_ROOT, 'deploy', 'roles', `${spec.role}.ts`)],
    env: { ...process.env, ...spec.env, LOG_FORMAT: 'json' },
    // A worker drains its running tasks before it exits.
    graceMs: 30_000,
  });
  const what = `${spec.name} (log: ${proc.logFile})`;
  try {
    if (spec.readyPort !== undefined) {
      await waitForPort('127.0.0.1', spec.readyPort, {
        timeoutMs: 120_000,
        child: proc.child,
        what,
      });
    } else {
      await waitForLogLine(proc, logStart, 'worker running', 120_000, what);
    }
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return proc;
}

async function waitForLogLine(
  proc: SupervisedProcess,
  logStart: number,
  message: string,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null)
      throw new Error(`${what} exited with code ${proc.child.exitCode} while starting`);
    if (readLog(proc.logFile).slice(logStart).includes(`"msg":"${message}"`)) return;
    await sleep(200);
  }
  throw new Error(`${what} did not log "${message}" within ${timeoutMs} ms`);
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
