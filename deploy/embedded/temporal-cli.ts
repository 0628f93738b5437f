import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { isAlive, killAndWait, run, stopChild, waitForPort } from './child-process';
import { TOOLS_DIR, USER_CACHE_DIR } from './paths';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const TEMPORAL_CLI_MODULE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

/** Built binaries outlive a clone: CI and fresh checkouts on the same machine reuse them. */
function userCacheBinary(): string {
  return path.join(USER_CACHE_DIR, `temporal-${TEMPORAL_CLI_VERSION}`, 'temporal');
}

function findGo(): string | null {
  return (
    onPath('go') ??
    [path.join(TOOLS_DIR, 'go', 'bin', 'go'), '/usr/local/go/bin/go'].find((p) => existsSync(p)) ??
    null
  );
}

/**
 * Finds the Temporal CLI, building it with `go install` on first use. Order:
 * $DOPPEL_TEMPORAL_CLI, .tools/bin/temporal, the user cache, `temporal` on PATH, then Go.
 * The project's .tools/bin/temporal is a link to the cached binary.
 */
export async function resolveTemporalCli(log: (line: string) => void): Promise<string> {
  const explicit = process.env.DOPPEL_TEMPORAL_CLI;
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`DOPPEL_TEMPORAL_CLI=${explicit} does not exist`);
    return explicit;
  }
  const local = path.join(TOOLS_DIR, 'bin', 'temporal');
  if (existsSync(local)) return local;
  const cached = userCacheBinary();
  if (!existsSync(cached)) {
    const installed = onPath('temporal');
    if (installed) return installed;
    const go = findGo();
    if (!go) {
      throw new Error(
        'The Temporal CLI is missing and Go is not installed to build it.\n' +
          `  Either install Go ≥ 1.23 (https://go.dev/doc/install) and run again — Doppel then builds ${TEMPORAL_CLI_MODULE} —\n` +
          '  or put a `temporal` binary on PATH or in DOPPEL_TEMPORAL_CLI,\n' +
          '  or point TEMPORAL_ADDRESS at an existing Temporal cluster.',
      );
    }
    log(
      `building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install (first start only, a few minutes)…`,
    );
    mkdirSync(path.dirname(cached), { recursive: true });
    await run(go, ['install', TEMPORAL_CLI_MODULE], {
      env: { ...process.env, GOBIN: path.dirname(cached) },
    });
  }
  mkdirSync(path.dirname(local), { recursive: true });
  rmSync(local, { force: true });
  symlinkSync(cached, local);
  return local;
}

export interface TemporalDevServer {
  readonly address: string;
  readonly uiUrl: string | null;
  stop(): Promise<void>;
}

export interface TemporalDevServerOptions {
  bin: string;
  /** SQLite file for persistent state; omitted = in memory (tests). */
  dbFile?: string;
  ip: string;
  port: number;
  uiPort?: number;
  namespace: string;
  logFile: string;
  pidFile?: string;
  /** `--dynamic-config-value KEY=VALUE` pairs (tests lower the continue-as-new thresholds). */
  dynamicConfig?: Record<string, string | number | boolean>;
}

/** Starts `temporal server start-dev` with Doppel's search attributes registered. */
export async function startTemporalDevServer(
  opts: TemporalDevServerOptions,
): Promise<TemporalDevServer> {
  if (opts.pidFile) await stopStale(opts.pidFile);
  const args = [
    'server',
    'start-dev',
    '--ip',
    opts.ip,
    '--port',
    String(opts.port),
    '--namespace',
    opts.namespace,
  ];
  args.push('--log-level', 'warn', '--log-format', 'json');
  // WAL with synchronous=NORMAL: a commit is one append instead of several fsyncs, and the
  // file survives the process being killed (only an OS crash may lose the newest commits) —
  // without it the embedded stack waits on the disk, not the CPU (~15 twins registered/s).
  if (opts.dbFile)
    args.push(
      '--db-filename',
      opts.dbFile,
      '--sqlite-pragma',
      'journal_mode=wal',
      '--sqlite-pragma',
      'synchronous=normal',
    );
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort), '--ui-ip', opts.ip);
  else args.push('--headless');
  for (const [key, value] of Object.entries(opts.dynamicConfig ?? {})) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES))
    args.push('--search-attribute', `${name}=${type}`);
  mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const logFd = openSync(opts.logFile, 'a');
  // Own process group: Ctrl-C reaches only us, and we stop the server after the worker has drained.
  const child = spawn(opts.bin, args, { stdio: ['ignore', logFd, logFd], detached: true });
  if (opts.pidFile && child.pid) writeFileSync(opts.pidFile, String(child.pid));
  const stop = async () => {
    await stopChild(child);
    if (opts.pidFile) rmSync(opts.pidFile, { force: true });
  };
  try {
    await waitForPort(opts.ip, opts.port, {
      timeoutMs: 60_000,
      child,
      what: `Temporal dev server (log: ${opts.logFile})`,
    });
    await waitForSearchAttributes(`${opts.ip}:${opts.port}`, opts.namespace);
    if (opts.uiPort)
      await waitForPort(opts.ip, opts.uiPort, { timeoutMs: 30_000, child, what: 'Temporal UI' });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    address: `${opts.ip}:${opts.port}`,
    uiUrl: opts.uiPort
      ? `http://${opts.ip === '0.0.0.0' ? 'localhost' : opts.ip}:${opts.uiPort}`
      : null,
    stop,
  };
}

/** temporal.api.enums.v1.IndexedValueType: INDEXED_VALUE_TYPE_KEYWORD = 2, _BOOL = 5. */
export const INDEXED_TYPE = { Keyword: 2, Bool: 5 } as const;

/**
 * The port opens before the namespace and search attributes are ready; twins need both. A
 * database made by an older Doppel lacks the attributes added since (start-dev's
 * `--search-attribute` does not add them to an existing namespace): those are added here.
 */
async function waitForSearchAttributes(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    let added = false;
    for (let attempt = 0; ; attempt++) {
      try {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({
          namespace,
        });
        const missing = Object.entries(SEARCH_ATTRIBUTES).filter(
          ([name]) => customAttributes?.[name] === undefined,
        );
        if (missing.length === 0) return;
        if (attempt >= 30 && !added) {
          added = true;
          await connection.operatorService.addSearchAttributes({
            namespace,
            searchAttributes: Object.fromEntries(
              missing.map(([name, type]) => [name, INDEXED_TYPE[type]]),
            ),
          });
        }
      } catch (error) {
        if (attempt >= 200) throw error;
      }
      if (attempt >= 200)
        throw new Error(`search attributes not registered in namespace ${namespace}`);
      await sleep(100);
    }
  } finally {
    await connection.close();
  }
}

/** A dev server left behind by a killed start (SIGKILL) would hold the ports and the SQLite file. */
async function stopStale(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  if (pid > 0 && isAlive(pid)) {
    const cmdline = existsSync(`/proc/${pid}/cmdline`)
      ? readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      : '';
    if (cmdline.includes('start-dev')) await killAndWait(pid);
  }
  rmSync(pidFile, { force: true });
}
