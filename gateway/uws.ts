import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Uws from 'uWebSockets.js';
import { DoppelError } from '../twins/errors';

const require = createRequire(import.meta.url);

/** What the gateway runs on, logged at start. */
export interface UwsRuntime {
  /** uWebSockets.js's own version, e.g. "v20.51.0". */
  uws: string;
  /** The npm package that carries the build, e.g. "@based/uws@6.0.1". */
  from: string;
  binary: string;
  node: string;
  abi: string;
  glibc: string | null;
}

const hostGlibc = (): string | null =>
  (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header
    ?.glibcVersionRuntime ?? null;

function packageFacts(): { dir: string; from: string; uws: string } {
  // The package exports only its entry point (uws.js), which sits beside its manifest.
  const dir = path.dirname(require.resolve('uWebSockets.js'));
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  // The packages republish uWS.js under their own versions; uws.js names the real one.
  const loader = readFileSync(path.join(dir, 'uws.js'), 'utf8');
  const uws = /uWS\.js \((v[\d.]+)\)/.exec(loader)?.[1] ?? 'unknown';
  return { dir, from: `${pkg.name}@${pkg.version}`, uws };
}

/**
 * Says why a uWS binary did not load, in terms an operator can act on: the Node version and
 * ABI it needs, or the glibc it needs against the host's.
 */
export function explainLoadFailure(
  error: unknown,
  runtime: { binary: string; node: string; abi: string; glibc: string | null; available: string[] },
): DoppelError {
  const text = String((error as Error)?.message ?? error);
  const fixNode =
    'run Doppel on Node 24 (npm scripts use the one `npm install` puts in node_modules/.bin) or Node 22 ≥ 22.15';
  const glibc = /version `GLIBC_(\d+\.\d+)' not found/.exec(text)?.[1];
  if (glibc)
    return new DoppelError(
      'gateway:uws.needs-newer-glibc',
      `the uWS binary ${runtime.binary} for Node ${runtime.node} (ABI ${runtime.abi}) needs glibc ≥ ${glibc}; this host has glibc ${runtime.glibc ?? 'unknown'}`,
      {
        hint: `start Doppel through npm (npm start, npm run gateway): \`npm install\` gives its Node 24 a private glibc on such hosts; or run on Debian 13 / Ubuntu 24.04 or newer; or on Node 22, whose uWS build needs only glibc 2.27 (docs/runtime.md)`,
        cause: error,
      },
    );
  // Node names the ABI a binary was built for, or (for uWS's binaries) only says it "did not
  // self-register"; their file names carry the ABI then.
  const named = /NODE_MODULE_VERSION (\d+)\. This version of Node\.js requires/.exec(text)?.[1];
  const fromName = /did not self-register/.test(text)
    ? /_(\d+)\.node$/.exec(runtime.binary)?.[1]
    : undefined;
  const builtFor = named ?? fromName;
  if (builtFor && builtFor !== runtime.abi)
    return new DoppelError(
      'gateway:uws.wrong-node-abi',
      `the uWS binary ${runtime.binary} was built for Node ABI ${builtFor}; this is Node ${runtime.node} (ABI ${runtime.abi})`,
      {
        hint: `${fixNode}, or point GATEWAY_UWS_BINARY at a build for ABI ${runtime.abi}`,
        cause: error,
      },
    );
  if (/Cannot find module|ENOENT|MODULE_NOT_FOUND/.test(text))
    return new DoppelError(
      'gateway:uws.no-binary',
      `no uWS binary for ${process.platform}-${process.arch} and Node ${runtime.node} (ABI ${runtime.abi}) at ${runtime.binary}; the installed build has ABIs ${runtime.available.join(', ') || 'none'}`,
      { hint: `${fixNode}, and reinstall node_modules`, cause: error },
    );
  return new DoppelError(
    'gateway:uws.load-failed',
    `the uWS binary ${runtime.binary} did not load on Node ${runtime.node} (ABI ${runtime.abi}): ${text}`,
    { hint: fixNode, cause: error },
  );
}

/**
 * Loads uWebSockets.js's native binary for this platform and Node ABI — there is no pure-JS
 * fallback — or `binary` when given (GATEWAY_UWS_BINARY: e.g. an operator's own build). A
 * binary that does not load stops the gateway with what it needs.
 */
export function loadNativeUws(binary?: string): { uws: typeof Uws; runtime: UwsRuntime } {
  const facts = packageFacts();
  const abi = process.versions.modules;
  const file =
    binary ?? path.join(facts.dir, `uws_${process.platform}_${process.arch}_${abi}.node`);
  const runtime = { binary: file, node: process.version, abi, glibc: hostGlibc() };
  let native: typeof Uws;
  try {
    native = require(file) as typeof Uws;
  } catch (error) {
    const prefix = `uws_${process.platform}_${process.arch}_`;
    const available = readdirNames(facts.dir)
      .filter((f) => f.startsWith(prefix) && f.endsWith('.node'))
      .map((f) => f.slice(prefix.length, -'.node'.length));
    throw explainLoadFailure(error, { ...runtime, available });
  }
  // The package's entry point adds pure-JS helpers (DeclarativeResponse) to the same binary.
  const uws = binary ? native : (require('uWebSockets.js') as typeof Uws);
  return { uws, runtime: { ...runtime, uws: facts.uws, from: facts.from } };
}

function readdirNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
