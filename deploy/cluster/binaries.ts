import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { DoppelError } from '../../twins/errors';
import { TOOLS_DIR, USER_CACHE_DIR } from '../embedded/paths';

/** The Temporal server and its SQL schema tool, built from one module version. */
export const TEMPORAL_SERVER_VERSION = 'v1.32.0';
/** The Temporal UI server (its web assets are embedded in the binary). */
export const TEMPORAL_UI_VERSION = 'v2.52.0';

export interface ClusterBinaries {
  /** `temporal-server`: every service, or one with `--service`. */
  readonly server: string;
  /** `temporal-sql-tool`: creates the databases and applies the schemas it carries. */
  readonly sqlTool: string;
  readonly uiServer: string;
}

export interface GoBuild {
  /** Folder under the user cache, named by version: a new pin builds afresh. */
  dir: string;
  packages: Array<{ module: string; binary: string; as: string }>;
}

const BUILDS: GoBuild[] = [
  {
    dir: `temporal-server-${TEMPORAL_SERVER_VERSION}`,
    packages: [
      {
        module: `go.temporal.io/server/cmd/server@${TEMPORAL_SERVER_VERSION}`,
        binary: 'server',
        as: 'temporal-server',
      },
      {
        module: `go.temporal.io/server/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`,
        binary: 'sql',
        as: 'temporal-sql-tool',
      },
    ],
  },
  {
    // Its binary is called `server` too, hence a folder of its own.
    dir: `temporal-ui-server-${TEMPORAL_UI_VERSION}`,
    packages: [
      {
        module: `github.com/temporalio/ui-server/v2/cmd/server@${TEMPORAL_UI_VERSION}`,
        binary: 'server',
        as: 'temporal-ui-server',
      },
    ],
  },
];

function findGo(): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'go'))) return path.join(dir, 'go');
  }
  return (
    [path.join(TOOLS_DIR, 'go', 'bin', 'go'), '/usr/local/go/bin/go'].find((p) => existsSync(p)) ??
    null
  );
}

/**
 * The cluster profile's Go binaries, built with `go install` on first use and cached under
 * ~/.cache/doppel (DOPPEL_CACHE_DIR), where CI and every clone on the machine find them again.
 */
export async function resolveClusterBinaries(
  log: (line: string) => void,
): Promise<ClusterBinaries> {
  const where = (build: GoBuild, as: string) => path.join(USER_CACHE_DIR, build.dir, as);
  for (const build of BUILDS) {
    if (build.packages.every((p) => existsSync(where(build, p.as)))) continue;
    await goInstall(build, log);
  }
  const [server, ui] = BUILDS as [GoBuild, GoBuild];
  return {
    server: where(server, 'temporal-server'),
    sqlTool: where(server, 'temporal-sql-tool'),
    uiServer: where(ui, 'temporal-ui-server'),
  };
}

export async function goInstall(build: GoBuild, log: (line: string) => void): Promise<void> {
  const go = findGo();
  if (!go) {
    throw new DoppelError(
      'deploy:cluster.go-missing',
      `The cluster profile builds ${build.packages.map((p) => p.module).join(' and ')} with Go, and Go is not installed.`,
      {
        hint: 'install Go ≥ 1.26 (https://go.dev/doc/install) and run again, or point TEMPORAL_ADDRESS at an existing Temporal cluster',
      },
    );
  }
  const target = path.join(USER_CACHE_DIR, build.dir);
  mkdirSync(USER_CACHE_DIR, { recursive: true });
  // Built into a folder of its own, then renamed: a build stopped halfway leaves no binary
  // that looks whole, and two builds at once do not write the same file.
  const scratch = mkdtempSync(path.join(USER_CACHE_DIR, `.${build.dir}-`));
  try {
    for (const pkg of build.packages) {
      log(
        `building ${pkg.module} with go install (first start only, a few minutes; cached in ${target})…`,
      );
      const gobin = path.join(scratch, pkg.as);
      await runGo(go, ['install', '-v', pkg.module], { ...process.env, GOBIN: gobin }, log);
      renameSync(path.join(gobin, pkg.binary), path.join(scratch, pkg.as + '.bin'));
      rmSync(gobin, { recursive: true, force: true });
    }
    for (const pkg of build.packages)
      renameSync(path.join(scratch, pkg.as + '.bin'), path.join(scratch, pkg.as));
    rmSync(target, { recursive: true, force: true });
    renameSync(scratch, target);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** `go install -v` names each package as it compiles it: a progress line every 15 s. */
async function runGo(
  go: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<void> {
  const child = spawn(go, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const started = Date.now();
  let compiled = 0;
  let last = '';
  let output = '';
  const take = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
    for (const line of d.toString().split('\n')) {
      if (line.trim() && !line.startsWith('go: ')) {
        compiled++;
        last = line.trim();
      }
    }
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const ticker = setInterval(() => {
    log(
      `  … ${Math.round((Date.now() - started) / 1000)} s, ${compiled} packages compiled (${last})`,
    );
  }, 15_000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  }).finally(() => clearInterval(ticker));
  if (code !== 0) {
    throw new DoppelError(
      'deploy:cluster.build-failed',
      `go ${args.join(' ')} exited with ${code}:\n${output.trim()}`,
      { hint: 'see the Go output above; docs/cluster.md lists the Go version the pins need' },
    );
  }
  log(`  built in ${Math.round((Date.now() - started) / 1000)} s`);
}
