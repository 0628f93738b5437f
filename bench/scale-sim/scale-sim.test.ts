import { describe, expect, it } from 'vitest';
import { loadInputs } from './inputs';
import { searchDeployment } from './sizing';
import { Simulation } from './simulation';
import { Station, TokenBucket } from './station';
import { simulateScale } from './simulate-scale';
import { runRollout, runStorm } from './scenarios';
import { benchFleet, readMeasured, rolloutRows } from './validate';

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
    expect(measured.get('rollout@dev:wall-s-1000')?.value).toBeGreaterThan(0);
    expect(measured.get('cost@dev:history-events-per-lifecycle')?.date).toMatch(/^\d{4}-/);
  });

  it('reads the rollout rows the section keeps beside its figures line, each with its date', () => {
    const section = [
      '| devices | measured | status | updated / failed | wall s | devices/s |',
      '|---|---|---|---|---|---|',
      '| 1,000 | 2026-12-05 | completed | 1000 / 0 | 25 | 39.9 |',
      '| 10,000 | 2026-12-01 | completed | 10000 / 0 | 291 | 34.4 |',
    ].join('\n');
    const rows = rolloutRows(section);
    expect(rows.get('wall-s-10000')).toEqual({ value: 291, date: '2026-12-01' });
    expect(rows.get('wall-s-1000')?.value).toBe(25);
  });

  it('validates the new design: a reconnect storm of plain connects writes no history event', () => {
    // The connections benchmark's devices are active records of a fleet that ran before: a
    // reconnect is committed by the gateway's ingest writer and tells no twin.
    const fleet = benchFleet(inputs, 4_000, 2, 5);
    const storm = runStorm(fleet, 1, { reporting: false });
    expect(storm.devices).toBe(2_000);
    expect(storm.allBackS).toBeLessThan(Infinity);
    expect(fleet.historyEvents).toBe(0);
    expect(fleet.pgCommits).toBeGreaterThan(0);
  });

  it('validates the new design: a rollout commands devices in bulk, far fewer tasks than devices', () => {
    // workflows/rollout/wave.ts: one read per batch of up to 1,000, one delivery activity per
    // gateway node per batch, a look every 2 s; each device's twin hears of it once (a notice).
    const fleet = benchFleet(inputs, 1_000, 1, 5);
    const rollout = runRollout(fleet, { wavesMaximum: 2_000, maxConcurrency: 500 });
    expect(rollout.wallS).toBeLessThan(Infinity);
    const twins = 1_000 * inputs['temporal.eventsPerNotice'];
    expect(fleet.historyEvents).toBeGreaterThanOrEqual(twins);
    // The waves' own events: far fewer than one per device.
    expect(fleet.historyEvents - twins).toBeLessThan(1_000);
  });

  it('asks for more gateway processes when the fleet doubles', () => {
    const small = { ...inputs, 'gateway.maxConnections': 2_000 };
    const opts = { seed: 1, warmupS: 5, measureS: 10 };
    const one = searchDeployment(small, 20_000, opts);
    const two = searchDeployment(small, 40_000, opts);
    expect(two.deployment.gateways).toBeGreaterThan(one.deployment.gateways);
  });
});
