import { describe, expect, it } from 'vitest';
import { loadInputs } from './inputs';
import { searchDeployment } from './sizing';
import { Simulation } from './simulation';
import { Station, TokenBucket } from './station';
import { simulateScale } from './simulate-scale';
import { readMeasured } from './validate';

const inputs = loadInputs();

/** Poisson arrivals at `lambda`/s into a one-server station with exponential service at `mu`/s. */
function mm1(lambda: number, mu: number, seed: number) {
  const sim = new Simulation(seed);
  const station = new Station(sim, 'm/m/1', 1);
  let waits = 0;
  let served = 0;
  const arrive = () => {
    station.submit(sim.rng.exponential(1 / mu), (wait) => {
      waits += wait;
      served++;
    });
    sim.after(sim.rng.exponential(1 / lambda), arrive);
  };
  sim.after(0, arrive);
  return {
    sim,
    station,
    meanWait: () => waits / served,
  };
}

describe('scale simulation', () => {
  it('gives the same output for the same seed, and another for another seed', () => {
    const options = { devices: 20_000, seed: 7, quick: true, validate: false };
    const a = simulateScale(inputs, options);
    const b = simulateScale(inputs, options);
    const c = simulateScale(inputs, { ...options, seed: 8 });
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it('detects overload: a queue fed faster than it serves keeps growing', () => {
    const { sim, station } = mm1(120, 100, 3);
    sim.run(100);
    const early = station.queueLength;
    sim.run(400);
    // Expected growth (λ − μ) × 300 s = 6,000 jobs.
    expect(station.queueLength - early).toBeGreaterThan(3_000);
    expect(station.stats().utilisation).toBeGreaterThan(0.99);
  });

  it('an M/M/1 queue waits ρ / (μ − λ) on average over a long run', () => {
    const lambda = 70;
    const mu = 100;
    const { sim, station, meanWait } = mm1(lambda, mu, 11);
    sim.run(20_000);
    const expected = lambda / mu / (mu - lambda);
    expect(Math.abs(meanWait() - expected) / expected).toBeLessThan(0.1);
    expect(Math.abs(station.stats().utilisation - lambda / mu)).toBeLessThan(0.02);
  });

  it('a waiter woken when the token bucket says a token is there always gets one', () => {
    // As the twin-notice drainer waits: take what there is, sleep waitS(), again. A wait too
    // short to move the clock once woke the waiter at the same instant forever.
    const sim = new Simulation(1);
    const bucket = new TokenBucket(sim, 200);
    let taken = 0;
    let wakes = 0;
    const wake = () => {
      wakes++;
      while (bucket.take()) taken++;
      if (wakes < 100_000) sim.after(bucket.waitS(), wake);
    };
    sim.after(0, wake);
    sim.run(10);
    // A burst of 200, then 200 a second for 10 s.
    expect(taken).toBeGreaterThanOrEqual(2_190);
    expect(sim.now).toBe(10);
  });

  it('validates against the figures lines of BENCHMARKS.md when bench/results is not there', () => {
    const measured = readMeasured(new URL('./no-results-here/', import.meta.url));
    expect(measured.get('rollout@cluster:wall-s-1000')?.value).toBeGreaterThan(0);
    expect(measured.get('connections@cluster:storm-back-s-10000')?.date).toMatch(/^\d{4}-/);
  });

  it('asks for more gateway processes when the fleet doubles', () => {
    const small = { ...inputs, 'gateway.maxConnections': 2_000 };
    const opts = { seed: 1, warmupS: 5, measureS: 10 };
    const one = searchDeployment(small, 20_000, opts);
    const two = searchDeployment(small, 40_000, opts);
    expect(two.deployment.gateways).toBeGreaterThan(one.deployment.gateways);
  });
});
