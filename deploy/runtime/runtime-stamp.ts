import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../embedded/paths';

/** Lives and dies with node_modules, like the Node binary it describes. */
export const RUNTIME_DIR = path.join(PROJECT_ROOT, 'node_modules', '.doppel-runtime');
const STAMP = path.join(RUNTIME_DIR, 'runtime.json');

/** What `npm install` prepared: the registry's Node and, where it needed one, its private glibc. */
export type RuntimeStamp = {
  node: string;
  glibc: { version: string; package: string } | null;
};

export function writeRuntimeStamp(stamp: RuntimeStamp): void {
  mkdirSync(RUNTIME_DIR, { recursive: true });
  writeFileSync(STAMP, `${JSON.stringify(stamp, null, 2)}\n`);
}

export function readRuntimeStamp(): RuntimeStamp | null {
  try {
    return JSON.parse(readFileSync(STAMP, 'utf8')) as RuntimeStamp;
  } catch {
    return null;
  }
}
