/**
 * A small seeded pseudo-random generator (mulberry32), so a fleet run with the same `--seed`
 * makes the same choices (which device faults, which firmware update fails, session lengths).
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  /** A float in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** `base` spread by ±fraction, e.g. jitter(1000, 0.2) is in [800, 1200). */
  jitter(base: number, fraction: number): number {
    return base * (1 + fraction * (2 * this.next() - 1));
  }

  /** An exponentially distributed wait with this mean: the gap between independent events. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** A generator for one device, derived from the run's seed and the device's index. */
  static forDevice(seed: number, index: number): Rng {
    return new Rng(Math.imul(seed ^ 0x85ebca6b, 0xc2b2ae35) ^ Math.imul(index + 1, 0x27d4eb2f));
  }
}
