/**
 * `runFleet(options)`: the programmatic simulator. Registers the devices, then runs them — in
 * this process when the fleet fits one worker, otherwise in forked worker processes (each
 * under the per-process open-file limit, each with its share of the connection rate) whose
 * counters are summed. Resolves once every device has started connecting; `done` settles
 * after `durationS`, `stop()` ends the run early.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATA_DIR } from '../../deploy/embedded/paths';
import { sumCounters, zeroCounters, type Counters } from './counters';
import { FleetHost } from './fleet-host';
import { withDefaults, type FleetInput, type FleetOptions } from './options';
import { assignAddresses, ipv4Gateway, isLoopback, planFleet, slices } from './plan';
import { registerFleet, type Registration, type RegistrationProgress } from './registry';
import type { FromWorker, ToWorker } from './worker-main';

export interface FleetHooks {
  onRegistration?: (progress: RegistrationProgress) => void;
  log?: (line: string) => void;
}

export interface FleetRun {
  options: FleetOptions;
  registration: Registration;
  /** Milliseconds registration took. */
  registrationMs: number;
  workers: number;
  /** The fleet's counters now (summed over workers). */
  counters(): Counters;
  /** Devices still waiting for their turn to connect (the ramp-up queue). */
  waiting(): number;
  /** Ends the run: every device disconnects; resolves with the final counters. */
  stop(): Promise<Counters>;
  /** Settles when the run ends (after `durationS`, or `stop()`). */
  done: Promise<Counters>;
}

export const defaultTokensFile = (tenant: string) =>
  path.join(DATA_DIR, 'simulator', `${tenant.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);

const WORKER_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker-main.ts');

export async function runFleet(input: FleetInput, hooks: FleetHooks = {}): Promise<FleetRun> {
  const options = withDefaults(input, defaultTokensFile);
  const log = hooks.log ?? (() => {});
  const specs = planFleet(options);
  if (specs.length === 0) throw new Error('no devices: give at least one count');
  log(`registering ${specs.length} devices of tenant ${options.tenant} through ${options.api}`);
  const started = Date.now();
  const registration = await registerFleet(specs, options, hooks.onRegistration);
  const registrationMs = Date.now() - started;
  if (registration.skipped.length > 0 && options.registerMissing)
    log(
      `${registration.skipped.length} devices skipped (e.g. ${registration.skipped[0]!.deviceId}: ${registration.skipped[0]!.reason}); ` +
        `their tokens are not in ${options.tokensFile} — use another --tenant or --id-prefix`,
    );
  if (registration.devices.length === 0) throw new Error('no device could be registered');
  const loopback = isLoopback(options.gateway);
  const running: FleetOptions = {
    ...options,
    gateway: loopback ? ipv4Gateway(options.gateway) : options.gateway,
  };
  const devices = assignAddresses(registration.devices, options.sourceAddresses, loopback);
  const workers =
    options.workers > 0
      ? options.workers
      : devices.length > options.devicesPerWorker
        ? Math.ceil(devices.length / options.devicesPerWorker)
        : 0;

  let stopping: Promise<Counters> | undefined;
  let resolveDone!: (c: Counters) => void;
  const done = new Promise<Counters>((r) => (resolveDone = r));
  let counters: () => Counters;
  let waiting: () => number;
  let stopAll: () => Promise<Counters>;

  if (workers === 0) {
    const host = new FleetHost(running, devices);
    host.start();
    counters = () => host.counters;
    waiting = () => host.waiting;
    stopAll = () => host.stop();
  } else {
    const latest = new Map<ChildProcess, { counters: Counters; waiting: number }>();
    const children = slices(devices, workers).map((slice) => {
      const child = fork(WORKER_MAIN, [], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        serialization: 'advanced',
      });
      latest.set(child, { counters: zeroCounters(), waiting: slice.length });
      child.on('message', (m: FromWorker) => {
        latest.set(child, { counters: m.counters, waiting: m.type === 'counters' ? m.waiting : 0 });
      });
      child.on('exit', (code) => {
        if (!stopping) log(`worker ${child.pid} exited with code ${code}`);
      });
      const start: ToWorker = {
        type: 'start',
        options: running,
        devices: slice,
        connectRate: running.connectRate / workers,
      };
      child.send(start);
      return child;
    });
    log(`${workers} worker processes: ${children.map((c) => c.pid).join(', ')}`);
    counters = () => sumCounters([...latest.values()].map((v) => v.counters));
    waiting = () => [...latest.values()].reduce((n, v) => n + v.waiting, 0);
    stopAll = async () => {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null) return resolve();
              const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
              child.once('exit', () => {
                clearTimeout(kill);
                resolve();
              });
              child.send({ type: 'stop' } satisfies ToWorker);
            }),
        ),
      );
      return counters();
    };
  }

  const stop = () =>
    (stopping ??= stopAll().then((final) => {
      clearTimeout(timer);
      resolveDone(final);
      return final;
    }));
  const timer =
    Number.isFinite(options.durationS) && options.durationS > 0
      ? setTimeout(() => void stop(), options.durationS * 1000)
      : undefined;
  return {
    options,
    registration,
    registrationMs,
    workers,
    counters: () => counters(),
    waiting: () => waiting(),
    stop,
    done,
  };
}
