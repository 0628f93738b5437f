import { execFileSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { USER_CACHE_DIR } from '../embedded/paths';

/**
 * A pinned PyPI package installed with pip (no dependencies) into a folder of its own under
 * ~/.cache/doppel, once; returns that folder (pip's --target).
 */
export function pipPackage(name: string, version: string, log: (line: string) => void): string {
  const site = path.join(USER_CACHE_DIR, `${name}-${version}`, 'site');
  if (existsSync(site)) return site;
  log(`installing ${name} ${version} from PyPI into ${site}…`);
  // Installed beside, then renamed: an install stopped halfway leaves nothing that looks whole.
  const scratch = `${site}.partial`;
  rmSync(scratch, { recursive: true, force: true });
  execFileSync(
    'python3',
    [
      ...['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps'],
      ...['--target', scratch, `${name}==${version}`],
    ],
    // CI runs as root, where pip warns about every install; older pips ignore the variable.
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' },
    },
  );
  renameSync(scratch, site);
  return site;
}
