import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { startScratchInfrastructure } from '../deploy/embedded/infrastructure';
import { startStack, type TestStack } from '../test/support/stack';

/** The machine line every benchmark table states (cores, CPU, memory, Node, kernel). */
export function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.type()} ${os.release()}, ${commit()}`;
}

/** The commit a run measured (and whether the working tree had changes), so a row names its code. */
function commit(): string {
  try {
    const git = (args: string[]) =>
      execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const sha = git(['rev-parse', '--short', 'HEAD']);
    return `commit ${sha}${git(['status', '--porcelain', '--untracked-files=no']) ? ' + uncommitted changes' : ''}`;
  } catch {
    return 'commit unknown (not a git checkout)';
  }
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs `work` against a scratch Temporal dev server and PostgreSQL with Doppel's worker,
 * gateway and API started on them (as the tests do), and tears everything down after.
 */
export async function withScratchStack<T>(
  work: (
    stack: TestStack,
    backends: { temporalAddress: string; databaseUrl: string },
  ) => Promise<T>,
): Promise<T> {
  const infra = await startScratchInfrastructure();
  try {
    const backends = { temporalAddress: infra.temporalAddress, databaseUrl: infra.databaseUrl };
    const stack = await startStack(backends);
    try {
      return await work(stack, backends);
    } finally {
      await stack.stop();
    }
  } finally {
    await infra.stop();
  }
}

/** BENCHMARKS.md, where `npm run bench` writes. */
export const BENCHMARKS_FILE = new URL('../BENCHMARKS.md', import.meta.url);
/** Each section is marked, so one can be replaced alone. */
export const sectionStart = (name: string) => `<!-- section:${name} -->`;
export const sectionEnd = (name: string) => `<!-- /section:${name} -->`;

/** A section as BENCHMARKS.md has it now ('' when it has none). */
export function currentSection(name: string): string {
  if (!existsSync(BENCHMARKS_FILE)) return '';
  const text = readFileSync(BENCHMARKS_FILE, 'utf8');
  const from = text.indexOf(sectionStart(name));
  const to = text.indexOf(sectionEnd(name));
  return from >= 0 && to > from ? text.slice(from, to) : '';
}

/**
 * Replaces one marked section of BENCHMARKS.md (or puts it before the shortfalls, the first
 * time); the rest of the file, and its date line, stay as they were.
 */
export function replaceSection(name: string, marked: string): void {
  let text = readFileSync(BENCHMARKS_FILE, 'utf8');
  const from = text.indexOf(sectionStart(name));
  const to = text.indexOf(sectionEnd(name));
  text =
    from >= 0 && to > from
      ? text.slice(0, from) + marked.trimEnd() + text.slice(to + sectionEnd(name).length)
      : text.replace('## Where we fall short', `${marked}\n## Where we fall short`);
  writeFileSync(BENCHMARKS_FILE, text);
}
