import { describe, expect, it } from 'vitest';
import { AuthFailures } from './auth-failures';

const make = () => {
  let t = 1_000_000;
  const failures = new AuthFailures(
    { perDevice: 3, perSource: 5, windowMs: 60_000, lockMs: 1_000, maxLockMs: 4_000 },
    () => t,
  );
  return { failures, advance: (ms: number) => (t += ms) };
};

describe('failed logins', () => {
  it('lock a device after its limit, for a time that doubles up to a ceiling', () => {
    const { failures, advance } = make();
    for (let i = 0; i < 3; i++) failures.failed('acme/cp-1', null);
    expect(failures.retryAfterMs('acme/cp-1', null)).toBe(0);
    failures.failed('acme/cp-1', null);
    expect(failures.retryAfterMs('acme/cp-1', null)).toBe(1_000);
    expect(failures.retryAfterMs('acme/cp-2', null)).toBe(0);
    advance(1_000);
    for (let i = 0; i < 4; i++) failures.failed('acme/cp-1', null);
    expect(failures.retryAfterMs('acme/cp-1', null)).toBe(2_000);
    for (const _ of [1, 2, 3]) {
      advance(5_000);
      for (let i = 0; i < 4; i++) failures.failed('acme/cp-1', null);
    }
    expect(failures.retryAfterMs('acme/cp-1', null)).toBe(4_000);
  });

  it('lock a source that fails across many devices, whatever the device', () => {
    const { failures } = make();
    for (let i = 0; i < 6; i++) failures.failed(`acme/cp-${i}`, '10.0.0.9');
    expect(failures.retryAfterMs('acme/fresh', '10.0.0.9')).toBe(1_000);
    expect(failures.retryAfterMs('acme/fresh', '10.0.0.10')).toBe(0);
  });

  it('forget failures outside the window, and a device that logs in', () => {
    const { failures, advance } = make();
    for (let i = 0; i < 3; i++) failures.failed('acme/cp-1', null);
    advance(60_000);
    failures.failed('acme/cp-1', null);
    expect(failures.retryAfterMs('acme/cp-1', null)).toBe(0);
    failures.failed('acme/cp-1', null);
    failures.succeeded('acme/cp-1');
    failures.failed('acme/cp-1', null);
    failures.failed('acme/cp-1', null);
    expect(failures.retryAfterMs('acme/cp-1', null)).toBe(0);
  });
});
