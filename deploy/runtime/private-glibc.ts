import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { USER_CACHE_DIR } from '../embedded/paths';

/** A glibc unpacked beside the system's, for one binary's interpreter and library path. */
export type PrivateGlibc = {
  /** Upstream version, e.g. "2.41". */
  version: string;
  /** The Debian package it came from, e.g. "libc6 2.41-12+deb13u5 (trixie)". */
  package: string;
  libDir: string;
  loader: string;
};

/** Debian 13: glibc 2.41, security-supported until 2028, like Node 24. */
const GLIBC_SUITE = 'trixie';
const MIRROR = process.env.DOPPEL_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';
const ARCH: Record<string, { deb: string; triplet: string; loader: string }> = {
  x64: { deb: 'amd64', triplet: 'x86_64-linux-gnu', loader: 'ld-linux-x86-64.so.2' },
  arm64: { deb: 'arm64', triplet: 'aarch64-linux-gnu', loader: 'ld-linux-aarch64.so.1' },
};

const run = (cmd: string, args: string[], cwd?: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function onPath(cmd: string): boolean {
  try {
    run('sh', ['-c', `command -v ${cmd}`]);
    return true;
  } catch {
    return false;
  }
}

const newerOrSame = (have: string, want: string) => {
  const [a = 0, b = 0] = have.split('.').map(Number);
  const [c = 0, d = 0] = want.split('.').map(Number);
  return a > c || (a === c && b >= d);
};

/**
 * apt-get with a private sources list, lists and archive cache under the user cache: nothing of
 * the system's apt state is read or changed, no root needed. apt checks every package against
 * the Release file signed with Debian's archive keys, as for any system install.
 */
function privateApt(hostSuite: string) {
  const root = path.join(USER_CACHE_DIR, 'apt');
  const archives = path.join(root, 'archives');
  mkdirSync(path.join(archives, 'partial'), { recursive: true });
  mkdirSync(path.join(root, 'lists', 'partial'), { recursive: true });
  const sources = path.join(root, 'sources.list');
  const suites = [...new Set([GLIBC_SUITE, hostSuite])];
  writeFileSync(
    sources,
    suites.map((s) => `deb [signed-by=${KEYRING}] ${MIRROR} ${s} main\n`).join(''),
  );
  const options = [
    `-o=Dir::Etc::SourceList=${sources}`,
    '-o=Dir::Etc::SourceParts=/dev/null',
    `-o=Dir::State::Lists=${path.join(root, 'lists')}`,
    `-o=Dir::Cache=${root}`,
    `-o=Dir::Cache::Archives=${archives}`,
    '-o=Debug::NoLocking=1',
    ...(process.getuid?.() === 0 ? ['-o=APT::Sandbox::User=root'] : []),
  ];
  return {
    update: () => run('apt-get', [...options, '-q', 'update']),
    /** Downloads `name/suite` into the archive cache; returns the .deb and its version. */
    download(name: string, suite: string): { file: string; version: string } {
      const shown = run('apt-cache', [...options, 'show', `${name}/${suite}`]);
      const version = /^Version: (.+)$/m.exec(shown)?.[1];
      if (!version) throw new Error(`apt knows no ${name} in ${suite}`);
      run('apt-get', [...options, '-q', 'download', `${name}/${suite}`], archives);
      const prefix = `${name}_${version.replace(':', '%3a')}_`;
      const file = readdirSync(archives).find((f) => f.startsWith(prefix) && f.endsWith('.deb'));
      if (!file) throw new Error(`apt-get download ${name}/${suite} left no ${prefix}*.deb`);
      return { file: path.join(archives, file), version };
    },
  };
}

function hostSuite(): string {
  const release = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '';
  return /^VERSION_CODENAME=(\w+)/m.exec(release)?.[1] ?? GLIBC_SUITE;
}

/** The patchelf on PATH, or Debian's package for this host unpacked under `dir`. */
function patchelf(dir: string, apt: ReturnType<typeof privateApt>): string {
  if (onPath('patchelf')) return 'patchelf';
  const { file } = apt.download('patchelf', hostSuite());
  const into = path.join(dir, 'patchelf');
  run('dpkg-deb', ['-x', file, into]);
  return path.join(into, 'usr', 'bin', 'patchelf');
}

/** Fetches Debian trixie's libc6 and unpacks it under `dir` (replacing what was there). */
export function fetchPrivateGlibc(opts: {
  dir: string;
  atLeast: string;
  say: (line: string) => void;
}): PrivateGlibc & { patchelf: string } {
  const arch = ARCH[process.arch];
  if (process.platform !== 'linux' || !arch)
    throw new Error(`no recipe for ${process.platform}-${process.arch}`);
  for (const tool of ['apt-get', 'apt-cache', 'dpkg-deb'])
    if (!onPath(tool))
      throw new Error(`${tool} is not installed (a Debian or Ubuntu host is needed)`);
  opts.say(
    `fetching Debian ${GLIBC_SUITE}'s glibc from ${MIRROR} (apt, signed by Debian's archive keys)`,
  );
  const apt = privateApt(hostSuite());
  apt.update();
  const libc = apt.download('libc6', GLIBC_SUITE);
  const version = /^(\d+\.\d+)/.exec(libc.version)?.[1] ?? '0';
  if (!newerOrSame(version, opts.atLeast))
    throw new Error(
      `Debian ${GLIBC_SUITE} has glibc ${version}, older than the ${opts.atLeast} needed`,
    );
  rmSync(opts.dir, { recursive: true, force: true });
  mkdirSync(opts.dir, { recursive: true });
  run('dpkg-deb', ['-x', libc.file, path.join(opts.dir, 'root')]);
  const libDir = path.join(opts.dir, 'root', 'usr', 'lib', arch.triplet);
  const loader = path.join(libDir, arch.loader);
  if (!existsSync(loader)) throw new Error(`the libc6 package has no ${loader}`);
  return {
    version,
    package: `libc6 ${libc.version} (${GLIBC_SUITE})`,
    libDir,
    loader,
    patchelf: patchelf(opts.dir, apt),
  };
}

/**
 * Points the binary's interpreter and library path at the private glibc. DT_RPATH (not
 * RUNPATH) so that every library the process loads, native addons included, finds the same
 * libc. The path is absolute: after moving the checkout, run `npm install` again.
 */
export function patchInterpreter(
  bin: string,
  glibc: PrivateGlibc & { patchelf: string },
  say: (line: string) => void,
): void {
  // The install itself may be running on this binary ("text file busy"): patch a copy and
  // rename it over the original.
  const patched = `${bin}.patched`;
  run(glibc.patchelf, [
    '--set-interpreter',
    glibc.loader,
    '--set-rpath',
    glibc.libDir,
    '--force-rpath',
    '--output',
    patched,
    bin,
  ]);
  chmodSync(patched, 0o755);
  renameSync(patched, bin);
  say(`${path.relative(process.cwd(), bin)}: interpreter ${glibc.loader}`);
}
