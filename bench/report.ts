import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { SCRATCH_HISTORY_SHARDS, startScratchCluster } from '../deploy/cluster/scratch-cluster';
import { TEMPORAL_SERVER_VERSION } from '../deploy/cluster/binaries';
import { startScratchInfrastructure, type Infrastructure } from '../deploy/embedded/infrastructure';
import { startStack, type StackOptions, type TestStack } from '../test/support/stack';

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
 * Which backends a benchmark runs on (`npm run bench -- --profile=cluster`): `dev`, the scratch
 * Temporal dev server (SQLite in memory, one process) and a PostgreSQL without fsync, as the
 * tests use; `cluster`, the cluster profile's real Temporal server on a private PostgreSQL with
 * fsync on (deploy/cluster/scratch-cluster.ts).
 */
export type BenchProfile = 'dev' | 'cluster';

/** What every section takes: quick mode, a progress line sink, and the backends. */
export interface BenchOptions {
  quick: boolean;
  progress(line: string): void;
  /** Backends (default: the dev server). */
  profile?: BenchProfile;
}

/** History shards of the cluster profile's scratch Temporal (`--shards=N`, default 16). */
export const benchHistoryShards = (): number => {
  const arg = process.argv.find((a) => a.startsWith('--shards='));
  const n = arg ? Number(arg.slice('--shards='.length)) : SCRATCH_HISTORY_SHARDS;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--shards wants a whole number ≥ 1: ${arg}`);
  return n;
};

/** The profile of `--profile=dev|cluster` on the command line (default dev). */
export function benchProfileOf(argv: readonly string[]): BenchProfile {
  const arg = argv.find((a) => a.startsWith('--profile='))?.slice('--profile='.length) ?? 'dev';
  if (arg !== 'dev' && arg !== 'cluster') {
    throw new Error(`--profile wants dev or cluster, not ${JSON.stringify(arg)}`);
  }
  return arg;
}

/** Scratch backends of a profile: migrated, on free ports, all removed by `stop()`. */
export async function startBenchInfrastructure(profile: BenchProfile): Promise<Infrastructure> {
  return profile === 'cluster'
    ? startScratchCluster({ historyShards: benchHistoryShards() })
    : startScratchInfrastructure();
}

/** The command line that writes a section: `npm run bench -- --quick --profile=cluster`. */
export function benchCommand(quick: boolean, profile: BenchProfile): string {
  const flags = [
    ...(quick ? ['--quick'] : []),
    ...(profile === 'dev' ? [] : [`--profile=${profile}`]),
  ];
  return `npm run bench${flags.length ? ` -- ${flags.join(' ')}` : ''}`;
}

/** One sentence naming a profile's backends, for the method text of a table. */
export function backendsOf(profile: BenchProfile): string {
  return profile === 'cluster'
    ? `the real Temporal server ${TEMPORAL_SERVER_VERSION} (history, matching, frontend and worker as four processes, ${benchHistoryShards()} history shards, PostgreSQL persistence and visibility) and Doppel's PostgreSQL in one private PostgreSQL with fsync on (the cluster profile, scratch)`
    : 'a scratch Temporal dev server (SQLite in memory, one process) and PostgreSQL without fsync';
}

/**
 * Runs `work` against scratch backends of the profile (default: the Temporal dev server) with
 * Doppel's worker, gateway and API started on them (as the tests do), and tears everything
 * down after.
 */
export async function withScratchStack<T>(
  work: (
    stack: TestStack,
    backends: { temporalAddress: string; databaseUrl: string },
  ) => Promise<T>,
  profile: BenchProfile = 'dev',
  options: StackOptions = {},
): Promise<T> {
  const infra = await startBenchInfrastructure(profile);
  try {
    const backends = { temporalAddress: infra.temporalAddress, databaseUrl: infra.databaseUrl };
    const stack = await startStack(backends, options);
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
/** A section's marker name in a profile: `pipeline` (dev server), `pipeline@cluster`. */
export const sectionName = (name: string, profile: BenchProfile) =>
  profile === 'dev' ? name : `${name}@${profile}`;

/** A section's headline figure, compared across profiles in the side-by-side summary. */
export interface Figure {
  /** Stable within the section: `committed-per-s`. */
  key: string;
  label: string;
  value: number;
  /** Whether a larger value is the better one (rates) or the worse (seconds, bytes). */
  better: 'higher' | 'lower';
}

export interface FigureRecord {
  section: string;
  profile: BenchProfile;
  date: string;
  quick: boolean;
  machine: string;
  figures: Figure[];
}

const FIGURES = /<!-- figures: (.*?) -->/;
const RESULTS_DIR = new URL('./results/', import.meta.url);

/**
 * The line a section ends with that carries its headline figures (read back by the summary,
 * so the comparison is always of what BENCHMARKS.md shows), and the same record as
 * bench/results/<section>@<profile>.json for scripts (not committed).
 */
export function figuresLine(
  record: Omit<FigureRecord, 'date' | 'machine'> & { date?: string },
): string {
  const full: FigureRecord = {
    ...record,
    date: record.date ?? new Date().toISOString().slice(0, 10),
    machine: machine(),
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(
    new URL(`${record.section}@${record.profile}.json`, RESULTS_DIR),
    `${JSON.stringify(full, null, 2)}\n`,
  );
  const { machine: _, ...shown } = full;
  return `<!-- figures: ${JSON.stringify(shown)} -->\n`;
}

/** The figures a section of BENCHMARKS.md carries (null when it has none). */
export function figuresOf(sectionText: string): FigureRecord | null {
  const m = FIGURES.exec(sectionText);
  return m ? (JSON.parse(m[1]!) as FigureRecord) : null;
}

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
export function replaceSection(
  name: string,
  marked: string,
  firstTimeBefore = '## Where we fall short',
): void {
  let text = readFileSync(BENCHMARKS_FILE, 'utf8');
  const from = text.indexOf(sectionStart(name));
  const to = text.indexOf(sectionEnd(name));
  text =
    from >= 0 && to > from
      ? text.slice(0, from) + marked.trimEnd() + text.slice(to + sectionEnd(name).length)
      : text.replace(firstTimeBefore, `${marked}\n${firstTimeBefore}`);
  writeFileSync(BENCHMARKS_FILE, text);
}
