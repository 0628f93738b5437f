import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chownSync,
  closeSync,
  mkdtempSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDatabase } from '../../db/server-admin';
import { isAlive, killAndWait, run, stopChild, waitForPort } from './child-process';

export interface PrivatePostgres {
  readonly url: string;
  stop(): Promise<void>;
}

export interface PrivatePostgresOptions {
  /** Where the cluster lives (created on first start, reused after). */
  dataDir: string;
  port: number;
  database: string;
  logFile: string;
  /** Trade durability for speed: tests only. */
  ephemeral?: boolean;
  /** Server settings (`-c name=value`) beyond the defaults, e.g. max_connections. */
  settings?: Record<string, string | number>;
  /** Started again this long after it stops on its own (a crash, `pg_ctl stop -m immediate`),
   * as an orchestrator restarts a database pod; omitted: left stopped. */
  restartAfterMs?: number;
  /** Told when it stopped on its own, and when it was started again. */
  onUnexpectedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

const USER = 'doppel';

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` system user. */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) {
    throw new Error(
      'Running as root, but there is no `postgres` system user to run PostgreSQL as (apt-get install postgresql creates it).',
    );
  }
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** The newest installed PostgreSQL server binaries (Debian keeps them under /usr/lib/postgresql/N/bin). */
export function findPostgresBinDir(): string {
  if (process.env.PG_BINDIR) return process.env.PG_BINDIR;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return path.join(root, versions[0], 'bin');
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'postgres')) && existsSync(path.join(dir, 'initdb')))
      return dir;
  }
  throw new Error(
    'PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin and PATH).\n' +
      '  Install them (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql),\n' +
      '  set PG_BINDIR to their folder, or point DATABASE_URL at an existing database.',
  );
}

/**
 * The cluster folder. As root, the `postgres` user must be able to reach it; a project in a
 * private folder (mode 700, e.g. under mktemp) is out of its reach, so the cluster then lives
 * in /var/tmp and .data/ holds a symlink to it.
 */
function placeCluster(dataDir: string, owner: { uid: number; gid: number } | null): string {
  if (existsSync(dataDir) && lstatSync(dataDir).isSymbolicLink()) return realpathSync(dataDir);
  if (
    !owner ||
    existsSync(path.join(dataDir, 'PG_VERSION')) ||
    reachableBy(path.dirname(dataDir), owner.uid)
  ) {
    return dataDir;
  }
  const hash = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
  const elsewhere = path.join('/var/tmp', `doppel-pg-${hash}`);
  mkdirSync(elsewhere, { recursive: true, mode: 0o700 });
  mkdirSync(path.dirname(dataDir), { recursive: true });
  rmSync(dataDir, { recursive: true, force: true });
  symlinkSync(elsewhere, dataDir);
  return elsewhere;
}

function reachableBy(dir: string, uid: number): boolean {
  // Every ancestor must be searchable by the user: others' x bit (we are root, so no other test is exact).
  let current = path.resolve(dir);
  for (;;) {
    try {
      const st = lstatSync(current);
      const ok = st.uid === uid ? (st.mode & 0o100) !== 0 : (st.mode & 0o001) !== 0;
      if (!ok) return false;
    } catch {
      // not there yet: it will be created by us, owned by root with mode 755
    }
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/** Starts (and on first use creates) a private PostgreSQL cluster listening on loopback only. */
export async function startPrivatePostgres(opts: PrivatePostgresOptions): Promise<PrivatePostgres> {
  const bin = findPostgresBinDir();
  const owner = runAs();
  const dataDir = placeCluster(opts.dataDir, owner);
  // cwd '/': the postgres user may not be allowed into the project folder.
  const asOwner: SpawnOptions = owner ? { uid: owner.uid, gid: owner.gid, cwd: '/' } : {};
  const passwordFile = `${opts.dataDir}.password`;

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (owner) chownSync(dataDir, owner.uid, owner.gid);
    const password = randomBytes(18).toString('base64url');
    // A folder only the cluster's owner can enter, holding a file only it can read (initdb runs
    // as that owner when we are root); never a readable file in the shared temp folder.
    const pwdir = mkdtempSync(path.join(os.tmpdir(), 'doppel-pw-'));
    const pwfile = path.join(pwdir, 'password');
    writeFileSync(pwfile, password, { mode: 0o600 });
    if (owner) {
      chownSync(pwdir, owner.uid, owner.gid);
      chownSync(pwfile, owner.uid, owner.gid);
    }
    try {
      await run(
        path.join(bin, 'initdb'),
        [
          '-D',
          dataDir,
          '-U',
          USER,
          '--pwfile',
          pwfile,
          '--auth=scram-sha-256',
          '-E',
          'UTF8',
          '--locale=C.UTF-8',
        ],
        asOwner,
      );
    } finally {
      rmSync(pwdir, { recursive: true, force: true });
    }
    mkdirSync(path.dirname(passwordFile), { recursive: true });
    writeFileSync(passwordFile, password, { mode: 0o600 });
  }
  if (!existsSync(passwordFile)) {
    throw new Error(
      `${passwordFile} is missing: the cluster in ${opts.dataDir} cannot be reached. Delete ${opts.dataDir} to start afresh.`,
    );
  }
  const password = readFileSync(passwordFile, 'utf8').trim();
  await stopStale(dataDir);

  const args = [
    '-D',
    dataDir,
    '-p',
    String(opts.port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
  ];
  if (opts.ephemeral)
    args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  for (const [name, value] of Object.entries(opts.settings ?? {}))
    args.push('-c', `${name}=${value}`);
  mkdirSync(path.dirname(opts.logFile), { recursive: true });
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  const spawnPostgres = (): ChildProcess => {
    const logFd = openSync(opts.logFile, 'a');
    const spawned = spawn(path.join(bin, 'postgres'), args, {
      ...asOwner,
      stdio: ['ignore', logFd, logFd],
      detached: true,
    });
    closeSync(logFd);
    spawned.on('exit', (code, signal) => {
      if (stopping) return;
      opts.onUnexpectedExit?.(code, signal);
      if (opts.restartAfterMs === undefined) return;
      restartTimer = setTimeout(() => {
        if (!stopping) child = spawnPostgres();
      }, opts.restartAfterMs);
    });
    return spawned;
  };
  let child = spawnPostgres();
  // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
  const stop = () => {
    stopping = true;
    clearTimeout(restartTimer);
    return stopChild(child, 'SIGINT');
  };
  try {
    await waitForPort('127.0.0.1', opts.port, {
      timeoutMs: 30_000,
      child,
      what: `PostgreSQL (log: ${opts.logFile})`,
    });
    const url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${opts.port}`;
    await ensureDatabase(url, opts.database);
    return { url: `${url}/${opts.database}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A postmaster left by a killed run holds the folder; stop it before starting ours. */
async function stopStale(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (pid > 0 && isAlive(pid)) await killAndWait(pid, 'SIGINT');
}
