import { describe, expect, it } from 'vitest';
import { Admission } from './admission';

const clock = () => {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

describe('admission control', () => {
  it('admits a burst of one second worth, then a steady rate', () => {
    const c = clock();
    const a = new Admission(
      { ratePerSecond: 10, flapLimit: 100, flapWindowMs: 60_000, coolDownMs: 1 },
      c.now,
    );
    const burst = Array.from({ length: 15 }, () => a.admit()).filter(Boolean).length;
    expect(burst).toBe(10);
    c.advance(500);
    expect(Array.from({ length: 10 }, () => a.admit()).filter(Boolean).length).toBe(5);
  });

  it('refuses a flapping device for the cool-down, then lets it back', () => {
    const c = clock();
    const a = new Admission(
      { ratePerSecond: 100, flapLimit: 3, flapWindowMs: 10_000, coolDownMs: 30_000 },
      c.now,
    );
    expect([a.connected('d'), a.connected('d'), a.connected('d')]).toEqual([true, true, true]);
    expect(a.connected('d')).toBe(false);
    expect(a.connected('other')).toBe(true);
    c.advance(29_000);
    expect(a.connected('d')).toBe(false);
    c.advance(2_000);
    expect(a.connected('d')).toBe(true);
  });

  it('forgets connections older than the window', () => {
    const c = clock();
    const a = new Admission(
      { ratePerSecond: 100, flapLimit: 2, flapWindowMs: 1_000, coolDownMs: 5_000 },
      c.now,
    );
    a.connected('d');
    a.connected('d');
    c.advance(1_500);
    expect(a.connected('d')).toBe(true);
  });
});
