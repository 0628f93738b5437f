import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { isAlive, killAndWait, stopChild } from '../embedded/child-process';

export interface SupervisedProcess {
  readonly name: string;
  /** The running process (a new one after each restart). */
  readonly child: ChildProcess;
  /** How many times it was started again after dying on its own. */
  readonly restarts: number;
  readonly logFile: string;
  /** Stops it (SIGTERM, SIGKILL after the grace period) and removes its pid file. */
  stop(): Promise<void>;
}

export interface SupervisedOptions {
  /** Unique in the profile: `temporal-history`, `gateway-1`, … */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Its pid file lives here, so a later start can stop what a killed one left running. */
  runDir: string;
  logDir: string;
  stopSignal?: NodeJS.Signals;
  graceMs?: number;
  /** Called once it is spawned: the launcher registers its stop at once, so a Ctrl-C while
   * the profile is still starting stops it too. */
  onStarted: (proc: SupervisedProcess) => void;
  /** Called when it exits without being asked to. */
  onUnexpectedExit: (name: string, code: number | null, signal: NodeJS.Signals | null) => void;
  /** Started again this long after it dies on its own, as an orchestrator restarts a pod;
   * omitted: left dead. */
  restartAfterMs?: number;
  /** Called with each restarted process. */
  onRestarted?: (proc: SupervisedProcess) => void;
}

/**
 * A process of the profile: its own process group (Ctrl-C reaches only the launcher, which
 * stops them in order), output appended to logs/<name>.log, and a pid file in the run folder.
 */
export function startSupervised(opts: SupervisedOptions): SupervisedProcess {
  mkdirSync(opts.logDir, { recursive: true });
  mkdirSync(opts.runDir, { recursive: true });
  const logFile = path.join(opts.logDir, `${opts.name}.log`);
  const pidFile = path.join(opts.runDir, `${opts.name}.pid`);
  let stopping = false;
  let restarts = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  const spawnOne = (): ChildProcess => {
    const logFd = openSync(logFile, 'a');
    const spawned = spawn(opts.command, opts.args, {
      env: opts.env ?? process.env,
      stdio: ['ignore', logFd, logFd],
      detached: true,
    });
    closeSync(logFd);
    if (spawned.pid)
      writeFileSync(pidFile, `${spawned.pid}\n${[opts.command, ...opts.args].join(' ')}\n`);
    spawned.on('exit', (code, signal) => {
      if (stopping) return;
      opts.onUnexpectedExit(opts.name, code, signal);
      if (opts.restartAfterMs === undefined) return;
      restartTimer = setTimeout(() => {
        if (stopping) return;
        restarts++;
        child = spawnOne();
        opts.onRestarted?.(proc);
      }, opts.restartAfterMs);
    });
    return spawned;
  };
  let child = spawnOne();
  const proc: SupervisedProcess = {
    name: opts.name,
    get child() {
      return child;
    },
    get restarts() {
      return restarts;
    },
    logFile,
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      await stopChild(child, opts.stopSignal ?? 'SIGTERM', opts.graceMs ?? 15_000);
      rmSync(pidFile, { force: true });
    },
  };
  opts.onStarted(proc);
  return proc;
}

/**
 * Processes a killed launcher (SIGKILL, a closed terminal) left running hold the ports and the
 * databases: each pid file names its process and the command it ran, checked before killing.
 */
export async function stopLeftovers(runDir: string, log: (line: string) => void): Promise<void> {
  if (!existsSync(runDir)) return;
  for (const file of readdirSync(runDir).filter((f) => f.endsWith('.pid'))) {
    const pidFile = path.join(runDir, file);
    const [pidText, command] = readFileSync(pidFile, 'utf8').split('\n');
    const pid = Number(pidText);
    if (pid > 0 && isAlive(pid) && command && commandLineOf(pid) === command) {
      log(`stopping ${file.slice(0, -'.pid'.length)} (pid ${pid}) left by an earlier start`);
      await killAndWait(pid);
    }
    rmSync(pidFile, { force: true });
  }
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}
