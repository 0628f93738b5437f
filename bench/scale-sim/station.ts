import type { Simulation } from './simulation';

export interface StationStats {
  name: string;
  servers: number;
  /** Busy server-seconds ÷ (servers × seconds) since the last reset. */
  utilisation: number;
  /** Mean time a job waited for a server, s. */
  meanWaitS: number;
  arrivals: number;
  completed: number;
  /** Jobs waiting now (not in service). */
  queueNow: number;
  maxQueue: number;
}

interface Job {
  serviceS: number;
  arrived: number;
  done?: (waitS: number) => void;
}

/**
 * A resource with `servers` identical servers and one FIFO queue (a G/G/c station): a gateway
 * process's event loop (1), PostgreSQL's cores, a history shard (1), a worker's slots. A job
 * brings its own service time; `speed` < 1 stretches every job (capacity left by background
 * load the scenario does not simulate event by event).
 */
export class Station {
  speed = 1;
  private busy = 0;
  private queue: Job[] = [];
  private head = 0;
  private since = 0;
  private busyArea = 0;
  private lastChange = 0;
  private waitSum = 0;
  private started = 0;
  private arrivals = 0;
  private completed = 0;
  private maxQueue = 0;

  constructor(
    private readonly sim: Simulation,
    readonly name: string,
    readonly servers: number,
  ) {}

  get queueLength(): number {
    return this.queue.length - this.head;
  }

  submit(serviceS: number, done?: (waitS: number) => void): void {
    this.arrivals++;
    const job = { serviceS, arrived: this.sim.now, done };
    if (this.busy < this.servers) this.start(job);
    else {
      this.queue.push(job);
      this.maxQueue = Math.max(this.maxQueue, this.queueLength);
    }
  }

  /** Starts the statistics afresh (after a warm-up). */
  reset(): void {
    this.account();
    this.since = this.sim.now;
    this.busyArea = 0;
    this.waitSum = 0;
    this.started = 0;
    this.arrivals = 0;
    this.completed = 0;
    this.maxQueue = this.queueLength;
  }

  stats(): StationStats {
    this.account();
    const span = this.sim.now - this.since;
    return {
      name: this.name,
      servers: this.servers,
      utilisation: span > 0 ? this.busyArea / (this.servers * span) : 0,
      meanWaitS: this.started ? this.waitSum / this.started : 0,
      arrivals: this.arrivals,
      completed: this.completed,
      queueNow: this.queueLength,
      maxQueue: this.maxQueue,
    };
  }

  private account(): void {
    this.busyArea += this.busy * (this.sim.now - this.lastChange);
    this.lastChange = this.sim.now;
  }

  private start(job: Job): void {
    this.account();
    this.busy++;
    const waitS = this.sim.now - job.arrived;
    this.waitSum += waitS;
    this.started++;
    this.sim.after(job.serviceS / this.speed, () => {
      this.account();
      this.busy--;
      this.completed++;
      if (this.head < this.queue.length) {
        const next = this.queue[this.head++]!;
        if (this.head > 4096 && this.head * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.head);
          this.head = 0;
        }
        this.start(next);
      }
      job.done?.(waitS);
    });
  }
}

/** A token bucket: `ratePerS` sustained, bursts up to `burst` tokens (as gateway/admission.ts). */
export class TokenBucket {
  private tokens: number;
  private refilled: number;

  constructor(
    private readonly sim: Simulation,
    private readonly ratePerS: number,
    private readonly burst = ratePerS,
  ) {
    this.tokens = burst;
    this.refilled = sim.now;
  }

  take(): boolean {
    if (this.waitS() > 0) return false;
    this.tokens = Math.max(0, this.tokens - 1);
    return true;
  }

  /**
   * Seconds until a token is there: 0 also when the wait is too short to move the clock
   * (`now + wait === now` in floating point), else a caller that waits for it would be woken
   * at the same instant, again and again, and the simulation would never advance.
   */
  waitS(): number {
    this.refill();
    if (this.tokens >= 1) return 0;
    const wait = (1 - this.tokens) / this.ratePerS;
    return this.sim.now + wait > this.sim.now ? wait : 0;
  }

  private refill(): void {
    this.tokens = Math.min(
      this.burst,
      this.tokens + (this.sim.now - this.refilled) * this.ratePerS,
    );
    this.refilled = this.sim.now;
  }
}
