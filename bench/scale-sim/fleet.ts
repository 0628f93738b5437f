import { build, type Histogram } from 'hdr-histogram-js';
import type { Inputs } from './inputs';
import type { Simulation } from './simulation';
import { Station, TokenBucket, type StationStats } from './station';

/** What a deployment has: the counts the sizing search chooses. */
export interface Deployment {
  gateways: number;
  shards: number;
  historyNodes: number;
  workers: number;
  /** PostgreSQL cores (one primary). */
  pgCores: number;
}

/**
 * The design of docs/architecture.md, as the code runs it since issue 18: reports and connects
 * committed by the gateways' ingest writers in batched PostgreSQL transactions (no Temporal
 * action), a twin hearing only lifecycle-relevant changes through notices admitted by its
 * worker's drainer, rollout waves commanding devices in bulk (workflows/rollout/wave.ts).
 */
export interface FleetOptions {
  devices: number;
  deployment: Deployment;
  /** Run every CPU on one pool of this many cores (this machine: everything shares 2). */
  sharedCores?: number;
}

/** The resources of one deployment in one simulation, and the paths events take through them. */
export class Fleet {
  readonly gatewayCpu: Station[];
  readonly admission: TokenBucket[];
  readonly pg: Station;
  readonly shards: Station[];
  readonly historyNodes: Station[];
  /** Each worker process's event loop (one core): the twins' and waves' workflow tasks. */
  readonly workerCpu: Station[];
  readonly wftSlots: Station;
  readonly activitySlots: Station;
  readonly drainers: TokenBucket[];
  readonly notices = new Map<number, number>();
  readonly noticeAge: Histogram = build();
  readonly ackLatency: Histogram = build();
  noticesDone = 0;
  noticesInFlight = 0;
  /** Called when a twin committed what a notice told it (the storm waits for its devices'). */
  onTwinCommitted?: (device: number) => void;
  pgRows = 0;
  pgCommits = 0;
  /** History events written to every shard since the last reset. */
  historyEvents = 0;
  private readonly batches: { resolve: (() => void)[]; timer: boolean }[];
  private drainerNext = 0;
  private drainerWaking: boolean[];

  constructor(
    readonly sim: Simulation,
    readonly inputs: Inputs,
    readonly options: FleetOptions,
  ) {
    const d = options.deployment;
    const shared = options.sharedCores ? new Station(sim, 'machine', options.sharedCores) : null;
    this.gatewayCpu = Array.from(
      { length: d.gateways },
      (_, g) => shared ?? new Station(sim, `gateway ${g}`, 1),
    );
    this.admission = Array.from(
      { length: d.gateways },
      () => new TokenBucket(sim, inputs['gateway.admissionPerS']),
    );
    this.pg = shared ?? new Station(sim, 'PostgreSQL', d.pgCores);
    this.shards = Array.from({ length: d.shards }, (_, s) => new Station(sim, `shard ${s}`, 1));
    this.historyNodes = Array.from(
      { length: d.historyNodes },
      (_, h) =>
        shared ?? new Station(sim, `history node ${h}`, inputs['temporal.coresPerHistoryNode']),
    );
    this.workerCpu = Array.from(
      { length: d.workers },
      (_, w) => shared ?? new Station(sim, `worker ${w}`, 1),
    );
    this.wftSlots = new Station(sim, 'workflow-task slots', d.workers * inputs['worker.wftSlots']);
    this.activitySlots = new Station(
      sim,
      'activity slots',
      d.workers * inputs['worker.activitySlots'],
    );
    this.drainers = Array.from(
      { length: d.workers },
      () => new TokenBucket(sim, inputs['notices.ratePerWorker']),
    );
    this.drainerWaking = this.drainers.map(() => false);
    this.batches = this.gatewayCpu.map(() => ({ resolve: [], timer: false }));
  }

  gatewayOf = (device: number): number => device % this.gatewayCpu.length;

  /** A fixed hash of the device to a shard, as Temporal hashes workflow ids. */
  shardOf = (device: number): number =>
    (Math.imul(device + 1, 0x9e3779b1) >>> 0) % this.shards.length;

  /** Gateway CPU for one message or connection of a device. */
  gatewayWork(device: number, us: number, done: () => void): void {
    this.gatewayCpu[this.gatewayOf(device)]!.submit(us / 1e6, done);
  }

  /**
   * One command into the gateway's ingest writer: batched (at most `ingest.batchRows`, or
   * what arrived within `ingest.batchMs`), written in one transaction, resolved after COMMIT.
   */
  ingest(device: number, committed: () => void): void {
    const g = this.gatewayOf(device);
    const batch = this.batches[g]!;
    batch.resolve.push(committed);
    if (batch.resolve.length >= this.inputs['ingest.batchRows']) this.flush(g);
    else if (!batch.timer) {
      batch.timer = true;
      this.sim.after(this.inputs['ingest.batchMs'] / 1000, () => this.flush(g));
    }
  }

  /** A PostgreSQL transaction of `rows` device rows; `committed` after its WAL flush. */
  transaction(rows: number, committed: () => void): void {
    this.pgRows += rows;
    this.pg.submit((this.inputs['pg.txCpuUs'] + rows * this.inputs['pg.rowUs']) / 1e6, () => {
      this.pgCommits++;
      this.sim.after(this.inputs['pg.commitFlushMs'] / 1000, committed);
    });
  }

  /**
   * A device's connection once admitted: gateway CPU, the credential and lock-out reads (the
   * transactions of a connect beyond its ingest batch), then the connect in its gateway's
   * ingest batch; `committed` when the batch is (the device is welcomed then). No Temporal.
   */
  connect(device: number, committed: () => void): void {
    const inputs = this.inputs;
    this.gatewayWork(device, inputs['gateway.cpuUsPerConnect'], () => {
      const reads = Math.max(0, inputs['pg.txPerConnect'] - 1);
      this.pg.submit((reads * inputs['pg.txCpuUs']) / 1e6, () => this.ingest(device, committed));
    });
  }

  /**
   * One workflow task of a rollout or wave workflow: its history events on the workflow's
   * shard, then its turn on the worker's CPU (behind what that worker has queued). Its CPU is
   * charged per device (`worker.cpuMsPerRolloutDevice`, by the rollout scenario), as it was
   * measured, not per task.
   */
  workflowTask(shard: number, worker: number, done: () => void): void {
    this.temporal(shard, this.inputs['temporal.eventsPerWaveTask'], () =>
      this.workerWork(worker, 0, done),
    );
  }

  /** Worker CPU on worker `worker` (modulo the workers), `done` when it has run. */
  workerWork(worker: number, ms: number, done?: () => void): void {
    this.workerCpu[worker % this.workerCpu.length]!.submit(ms / 1000, done);
  }

  /** History events on the device's shard, then its history node's cores. */
  temporal(shard: number, events: number, done: () => void): void {
    this.historyEvents += events;
    const node = this.historyNodes[shard % this.historyNodes.length]!;
    this.shards[shard]!.submit(events / this.inputs['temporal.eventsPerShardPerS'], () =>
      node.submit(events / this.inputs['temporal.eventsPerCorePerS'], done),
    );
  }

  /** A twin notice for the device: coalesced (one per device), drained in age order. */
  notice(device: number): void {
    if (this.notices.has(device)) return;
    this.notices.set(device, this.sim.now);
    this.wakeDrainer(this.drainerNext++ % this.drainers.length);
  }

  get noticesWaiting(): number {
    return this.notices.size;
  }

  /** Every station, for utilisation and queue checks. */
  stations(): Station[] {
    return [
      ...new Set([
        ...this.gatewayCpu,
        this.pg,
        ...this.shards,
        ...this.historyNodes,
        ...this.workerCpu,
        this.wftSlots,
        this.activitySlots,
      ]),
    ];
  }

  reset(): void {
    for (const s of this.stations()) s.reset();
    this.noticeAge.reset();
    this.ackLatency.reset();
    this.pgRows = 0;
    this.pgCommits = 0;
    this.historyEvents = 0;
    this.noticesDone = 0;
  }

  /** The busiest station of each kind. */
  busiest(): Record<
    'gateway' | 'pg' | 'shard' | 'historyNode' | 'workerCpu' | 'wft' | 'activity',
    StationStats
  > {
    const max = (list: Station[]) =>
      list.map((s) => s.stats()).reduce((a, b) => (b.utilisation > a.utilisation ? b : a));
    return {
      gateway: max(this.gatewayCpu),
      pg: this.pg.stats(),
      shard: max(this.shards),
      historyNode: max(this.historyNodes),
      workerCpu: max(this.workerCpu),
      wft: this.wftSlots.stats(),
      activity: this.activitySlots.stats(),
    };
  }

  private flush(g: number): void {
    const batch = this.batches[g]!;
    batch.timer = false;
    const resolve = batch.resolve;
    if (!resolve.length) return;
    batch.resolve = [];
    this.transaction(resolve.length, () => {
      for (const r of resolve) r();
    });
  }

  private wakeDrainer(w: number): void {
    if (this.drainerWaking[w]) return;
    const bucket = this.drainers[w]!;
    while (this.notices.size && bucket.take()) this.signalTwin(w);
    if (!this.notices.size) return;
    this.drainerWaking[w] = true;
    this.sim.after(bucket.waitS(), () => {
      this.drainerWaking[w] = false;
      this.wakeDrainer(w);
    });
  }

  /**
   * The oldest notice, sent by worker `w`'s drainer: signal-with-start and the twin's workflow
   * task on its shard, the task's slot and a worker's CPU, then its commit (a local activity:
   * an activity slot and one PostgreSQL transaction).
   */
  private signalTwin(w: number): void {
    const [device, since] = this.notices.entries().next().value!;
    this.notices.delete(device);
    this.noticesInFlight++;
    const inputs = this.inputs;
    this.temporal(this.shardOf(device), inputs['temporal.eventsPerNotice'], () =>
      this.wftSlots.submit(inputs['worker.wftSlotMs'] / 1000, () =>
        this.workerCpu[w]!.submit(inputs['worker.cpuMsPerNotice'] / 1000, () =>
          this.activitySlots.submit(inputs['worker.activitySlotMs'] / 1000, () =>
            this.transaction(1, () => {
              this.noticesInFlight--;
              this.noticesDone++;
              this.onTwinCommitted?.(device);
              this.noticeAge.recordValue(Math.max(1, Math.round((this.sim.now - since) * 1000)));
            }),
          ),
        ),
      ),
    );
  }
}
