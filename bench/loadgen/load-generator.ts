/**
 * The multi-process load generator: forks worker processes (tsx), spreads connections over
 * them and over 127.0.0.x source addresses, runs closed-loop (a window of unacked messages per
 * connection) or open-loop (a fixed total rate) and merges the workers' HdrHistograms.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build, decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { WorkerCommand, WorkerReply } from './messages';
import type { Device, Target } from './protocols';

/** Sockets per worker process at most (open-file limit 20,000 per process, minus headroom). */
export const MAX_SOCKETS_PER_WORKER = 19_000;

export interface RunSpec {
  mode: 'closed' | 'open';
  /** Unacknowledged messages allowed per connection (closed loop: kept full). */
  window: number;
  warmupMs: number;
  durationMs: number;
  /** Open loop: messages per second over all connections. */
  ratePerSecond?: number;
}

export interface RunResult {
  acked: number;
  errors: number;
  /** Acks per second over the measurement window. */
  perSecond: number;
  /** Messages still unacknowledged when the window closed (a server falling behind). */
  inFlightAtEnd: number;
  /** Ack latency in µs (from the intended send time). */
  latencyUs: Histogram;
  /** Open loop: generator lateness (send − due time) in µs; part of `latencyUs`. */
  latenessUs: Histogram;
  /** The measurement window, epoch ms. */
  from: number;
  to: number;
}

/** Hooks called (in this process) when the measurement window opens and closes. */
export interface WindowProbe {
  start(): void;
  end(): void;
}

/** µs, 1 µs to 120 s, 3 significant digits (as the workers record). */
export const newHistogram = () =>
  build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });

class WorkerHandle {
  private waiting: Array<(m: WorkerReply) => void> = [];
  constructor(readonly child: ChildProcess) {
    child.on('message', (m: WorkerReply) => this.waiting.shift()?.(m));
  }
  next(): Promise<WorkerReply> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  async ask(cmd: WorkerCommand): Promise<WorkerReply> {
    const answer = this.next();
    this.child.send(cmd);
    const m = await answer;
    if (m.type === 'failed') throw new Error(`load worker: ${m.error}`);
    return m;
  }
}

export class LoadGenerator {
  private nextSet = 1;
  private constructor(private readonly workers: WorkerHandle[]) {}

  /** Forks `count` workers (default 2: this machine has two cores, one is the server's). */
  static async start(count = 2): Promise<LoadGenerator> {
    const script = fileURLToPath(new URL('./worker.ts', import.meta.url));
    const workers = await Promise.all(
      Array.from({ length: count }, async () => {
        const child = fork(script, [], {
          execArgv: ['--import', 'tsx'],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        const handle = new WorkerHandle(child);
        const ready = await handle.next();
        if (ready.type !== 'ready') throw new Error('load worker did not start');
        return handle;
      }),
    );
    return new LoadGenerator(workers);
  }

  get pids(): number[] {
    return this.workers.map((w) => w.child.pid!);
  }

  /**
   * Opens one connection per device, spread over the workers; resolves when all logged in,
   * with the id of this set of connections (several sets may stay open; one runs at a time).
   */
  async open(target: Target, devices: Device[]): Promise<number> {
    const set = this.nextSet++;
    const n = this.workers.length;
    if (devices.length > n * MAX_SOCKETS_PER_WORKER)
      throw new Error(`${devices.length} connections need more than ${n} workers`);
    const replies = await Promise.all(
      this.workers.map((w, i) =>
        w.ask({
          cmd: 'open',
          set,
          target,
          devices: devices.filter((_, k) => k % n === i),
          // Each worker its own source addresses: 4 × ~28k ephemeral ports each.
          localAddresses: [1, 2, 3, 4].map((k) => `127.0.${10 + i}.${k}`),
        }),
      ),
    );
    let ok = 0;
    for (const r of replies) {
      if (r.type !== 'opened') throw new Error('unexpected worker reply');
      if (r.failed > 0)
        throw new Error(`${r.failed} connections failed to log in: ${r.firstError ?? ''}`);
      ok += r.ok;
    }
    if (ok !== devices.length) throw new Error(`${devices.length - ok} connections closed`);
    return set;
  }

  /** One measured run on the open connections. */
  async run(set: number, spec: RunSpec, probe?: WindowProbe): Promise<RunResult> {
    const startAt = Date.now() + 150;
    const from = startAt + spec.warmupMs;
    const to = from + spec.durationMs;
    const at = (epochMs: number, f: () => void) =>
      new Promise<void>((resolve) =>
        setTimeout(() => {
          f();
          resolve();
        }, epochMs - Date.now()),
      );
    const probed = probe ? Promise.all([at(from, probe.start), at(to, probe.end)]) : null;
    const replies = await Promise.all(
      this.workers.map((w) =>
        w.ask({
          cmd: 'run',
          set,
          window: spec.window,
          startAtEpochMs: startAt,
          warmupMs: spec.warmupMs,
          durationMs: spec.durationMs,
          mode: spec.mode,
          ratePerSecond: (spec.ratePerSecond ?? 0) / this.workers.length,
        }),
      ),
    );
    await probed;
    const latencyUs = newHistogram();
    const latenessUs = newHistogram();
    let acked = 0;
    let errors = 0;
    let inFlightAtEnd = 0;
    for (const r of replies) {
      if (r.type !== 'result') throw new Error('unexpected worker reply');
      acked += r.acked;
      errors += r.errors;
      inFlightAtEnd += r.inFlightAtEnd;
      latencyUs.add(decodeFromCompressedBase64(r.histogram));
      latenessUs.add(decodeFromCompressedBase64(r.lateness));
    }
    return {
      acked,
      errors,
      perSecond: acked / (spec.durationMs / 1000),
      inFlightAtEnd,
      latencyUs,
      latenessUs,
      from,
      to,
    };
  }

  /** Closes a set of connections (close frames sent). */
  async close(set: number): Promise<void> {
    await Promise.all(this.workers.map((w) => w.ask({ cmd: 'close', set })));
  }

  async stop(): Promise<void> {
    for (const w of this.workers) {
      if (w.child.connected) w.child.send({ cmd: 'exit' } satisfies WorkerCommand);
    }
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.child.exitCode !== null) return resolve();
            const kill = setTimeout(() => w.child.kill('SIGKILL'), 2_000);
            w.child.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
          }),
      ),
    );
  }
}
