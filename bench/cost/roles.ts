/**
 * A design's roles as processes of their own, started from any checkout of Doppel (its
 * `deploy/roles/*.ts`, run with that checkout as working directory and its node_modules): the
 * cost benchmark measures the current tree and an older commit side by side.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from '../../deploy/embedded/child-process';
import { PROJECT_ROOT } from '../../deploy/embedded/paths';
import { TEST_ALLOWED_NETWORKS } from '../../test/support/egress';
import { TEST_JWT_SECRET, TEST_LEDGER_KEY } from '../../test/support/auth';

/** The commit before issue 18: the "previous design" every cost figure is shown beside. */
export const PREVIOUS_DESIGN_COMMIT = '545642f';

/** A checkout whose roles a run starts, and what the tables call it. */
export interface DesignTree {
  label: 'previous' | 'this';
  dir: string;
  /** Short commit of the checkout (for the method text). */
  commit: string;
}

const git = (cwd: string, args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** This checkout, as the "this design" tree. */
export function thisTree(): DesignTree {
  let commit = 'unknown';
  try {
    commit = git(PROJECT_ROOT, ['rev-parse', '--short', 'HEAD']);
    if (git(PROJECT_ROOT, ['status', '--porcelain', '--untracked-files=no'])) commit += '+changes';
  } catch {
    // not a git checkout
  }
  return { label: 'this', dir: PROJECT_ROOT, commit };
}

/**
 * A detached git worktree of `commit` (default: the previous design) beside the temp folder,
 * made on first use and reused after, with this checkout's node_modules linked in.
 * DOPPEL_PREVIOUS_TREE names an existing checkout instead.
 */
export function previousTree(commit = PREVIOUS_DESIGN_COMMIT): DesignTree {
  const given = process.env.DOPPEL_PREVIOUS_TREE;
  const dir = given ?? path.join(os.tmpdir(), `doppel-design-${commit}`);
  if (!given && !existsSync(path.join(dir, 'package.json'))) {
    git(PROJECT_ROOT, ['worktree', 'add', '--detach', dir, commit]);
  }
  const modules = path.join(dir, 'node_modules');
  if (!existsSync(modules)) {
    // A link left by a checkout that is gone (existsSync follows links) is replaced.
    rmSync(modules, { force: true });
    symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), modules);
  }
  return { label: 'previous', dir, commit: git(dir, ['rev-parse', '--short', 'HEAD']) };
}

export interface RoleProcess {
  pid: number;
  stop(): Promise<void>;
}

/** The environment every role of a run shares: backends, test credentials, quiet logs. */
function commonEnv(backends: { temporalAddress: string; databaseUrl: string }) {
  return {
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    TEMPORAL_ADDRESS: backends.temporalAddress,
    DATABASE_URL: backends.databaseUrl,
    EGRESS_ALLOWED_NETWORKS: TEST_ALLOWED_NETWORKS.join(','),
  };
}

/** Starts `deploy/roles/<role>.ts` of a tree; resolves once `ready` says so. */
async function startRole(
  tree: DesignTree,
  role: 'worker' | 'gateway' | 'api',
  env: Record<string, string>,
  ready: (child: ChildProcess, output: () => string) => Promise<void>,
): Promise<RoleProcess & { output(): string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(tree.dir, 'deploy/roles', `${role}.ts`)],
    {
      cwd: tree.dir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-200_000)));
  child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-200_000)));
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`${tree.label} ${role} exited with ${code}:\n${output.slice(-4_000)}`);
  });
  exited.catch(() => {});
  try {
    await Promise.race([ready(child, () => output), exited]);
  } catch (error) {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    throw error;
  }
  return {
    pid: child.pid!,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = once(child, 'exit');
      process.kill(-child.pid!, 'SIGTERM');
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
      await gone.catch(() => {});
      clearTimeout(timer);
    },
  };
}

/** Resolves when a JSON log line satisfies `match` (within a minute). */
const logLine =
  (match: (entry: Record<string, unknown>) => boolean) =>
  async (_child: ChildProcess, output: () => string) => {
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      for (const line of output().split('\n').slice(0, -1)) {
        if (!line.startsWith('{')) continue;
        try {
          if (match(JSON.parse(line) as Record<string, unknown>)) return;
        } catch {
          // not a log line
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no such log line within 90 s:\n${output().slice(-4_000)}`);
  };

export interface DesignRoles {
  worker: RoleProcess;
  gateway: RoleProcess & { url: string };
  api: RoleProcess & { url: string };
  stop(): Promise<void>;
}

/**
 * The worker (which applies the tree's migrations to a fresh database), then the gateway and
 * the API of a tree, each a process of its own. Offline grace is short (1 s) so a disconnect's
 * whole cost falls inside its phase; the API's rate limit is lifted for the harness.
 */
export async function startDesignRoles(
  tree: DesignTree,
  backends: { temporalAddress: string; databaseUrl: string },
): Promise<DesignRoles> {
  const common = commonEnv(backends);
  const started: RoleProcess[] = [];
  try {
    const worker = await startRole(
      tree,
      'worker',
      {
        ...common,
        WORKER_METRICS_PORT: '0',
        DEVICE_OFFLINE_GRACE_MS: '1000',
        LEDGER_SIGNING_KEY: TEST_LEDGER_KEY,
        LEDGER_CHECKPOINT_INTERVAL_S: '60',
      },
      logLine((e) => e.msg === 'worker running'),
    );
    started.push(worker);
    const port = await freePort();
    const gateway = await startRole(
      tree,
      'gateway',
      {
        ...common,
        LOG_LEVEL: 'warn',
        DEVICE_OFFLINE_GRACE_MS: '1000',
        GATEWAY_HOST: '127.0.0.1',
        GATEWAY_PORT: String(port),
        GATEWAY_METRICS_PORT: String(await freePort()),
        GATEWAY_NODE_ID: `cost-${tree.label}`,
        GATEWAY_ADMISSION_RATE: '5000',
        GATEWAY_FLAP_LIMIT: '10000',
        GATEWAY_LOGIN_FAILURES_PER_DEVICE: '1000',
        GATEWAY_LOGIN_FAILURES_PER_SOURCE: '100000',
      },
      async (child) => {
        await waitForPort('127.0.0.1', port, { timeoutMs: 60_000, child, what: 'gateway' });
      },
    );
    started.push(gateway);
    let apiPort = 0;
    const api = await startRole(
      tree,
      'api',
      {
        ...common,
        DEVICE_OFFLINE_GRACE_MS: '1000',
        API_HOST: '127.0.0.1',
        API_PORT: '0',
        API_METRICS_PORT: '0',
        API_JWT_SECRET: TEST_JWT_SECRET,
        API_RATE_LIMIT_PER_S: '100000',
        API_RATE_LIMIT_BURST: '100000',
      },
      logLine((e) => {
        if (e.msg !== 'GraphQL API listening') return false;
        apiPort = e.port as number;
        return true;
      }),
    );
    started.push(api);
    return {
      worker,
      gateway: { ...gateway, url: `ws://127.0.0.1:${port}/device` },
      api: { ...api, url: `http://127.0.0.1:${apiPort}/graphql` },
      async stop() {
        for (const role of [api, gateway, worker]) await role.stop();
      },
    };
  } catch (error) {
    for (const role of started.reverse()) await role.stop().catch(() => {});
    throw error;
  }
}
