// The operator console (graphql/console/src, a React app) is built by Vite into
// graphql/console/dist, which the API serves at `/` (graphql/console/serve.ts). `npm install`
// builds it (postinstall), `npm start` and the browser tests rebuild it when a source is newer
// than the build; `npm run console:build` builds it on demand. See docs/console.md.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as ViteModule from 'vite';

export const CONSOLE_ROOT = path.dirname(fileURLToPath(import.meta.url));
export const CONSOLE_DIST = path.join(CONSOLE_ROOT, 'dist');

/** What the build reads: the app, its page, its Vite config and the role table it shares with the API. */
const SOURCES = [
  path.join(CONSOLE_ROOT, 'src'),
  path.join(CONSOLE_ROOT, 'index.html'),
  path.join(CONSOLE_ROOT, 'vite.config.ts'),
  path.join(CONSOLE_ROOT, '..', 'auth', 'roles.ts'),
];

function newestChange(file: string): number {
  const stats = statSync(file);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(
    stats.mtimeMs,
    ...readdirSync(file).map((name) => newestChange(path.join(file, name))),
  );
}

/** True when there is no build, or a source changed after it was made. */
export function consoleIsStale(): boolean {
  const built = path.join(CONSOLE_DIST, 'index.html');
  if (!existsSync(built)) return true;
  return Math.max(...SOURCES.filter(existsSync).map(newestChange)) > statSync(built).mtimeMs;
}

type Vite = typeof ViteModule;

/** Builds the console with Vite (a dev dependency: present wherever the sources are worked on). */
export async function buildConsole(vite?: Vite): Promise<void> {
  const { build } = vite ?? (await import('vite'));
  // React's production build, whoever builds: Vite and its React plugin take the mode from
  // NODE_ENV when it is set, and under Vitest (the browser tests' global setup) it is `test`,
  // which would bundle React's development build (70 % larger, slower to start).
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: path.join(CONSOLE_ROOT, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}

/**
 * Builds the console when it is missing or stale. Without Vite (an install without dev
 * dependencies, such as the image's runtime stage, which copies a build instead) it says so and
 * leaves things as they are.
 */
export async function ensureConsole(say: (line: string) => void): Promise<void> {
  if (!consoleIsStale()) return;
  let vite: Vite;
  try {
    vite = await import('vite');
  } catch {
    say('console: not built (Vite, a dev dependency, is not installed)');
    return;
  }
  const started = Date.now();
  await buildConsole(vite);
  say(
    `console: built into ${path.relative(process.cwd(), CONSOLE_DIST)} in ${Date.now() - started} ms`,
  );
}
