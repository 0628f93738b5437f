import { Rng } from '../simulator/rng';
import { EventQueue } from './event-queue';

/** A discrete-event clock: callbacks run in time order; `now` is in seconds. */
export class Simulation {
  now = 0;
  readonly rng: Rng;
  private readonly events = new EventQueue<() => void>();

  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  at(time: number, run: () => void): void {
    this.events.push(Math.max(time, this.now), run);
  }

  after(delayS: number, run: () => void): void {
    this.at(this.now + delayS, run);
  }

  /** Runs every event due up to `until` (or until none is left, or `stop()` says so). */
  run(until = Infinity, stop: () => boolean = () => false): void {
    while (this.events.peekTime() <= until && !stop()) {
      this.now = this.events.peekTime();
      this.events.pop()!();
    }
    if (until !== Infinity && !stop()) this.now = Math.max(this.now, until);
  }

  /** A lognormal draw with this median and shape (σ of the underlying normal). */
  lognormal(median: number, sigma: number): number {
    const u = 1 - this.rng.next();
    const v = this.rng.next();
    return median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }
}
