import { describe, expect, it } from 'vitest';
import { delta } from '../shadow';
import type { DeviceCommand } from './commands';
import { aDevice, at, connect, report, run } from './test-builders';

const desire = (patch: unknown, expectedVersion?: number): DeviceCommand => ({
  type: 'desire',
  at: at(40),
  actor: 'ops',
  patch,
  ...(expectedVersion !== undefined ? { expectedVersion } : {}),
});

describe('device twin: desired and reported shadow', () => {
  it('a desired change shows as delta until the device reports the same value', () => {
    const online = run([connect('s1')]).state;
    const wanted = run([desire({ led: { color: 'red' }, interval: 60 })], online).state;
    expect(delta(wanted.shadow)).toEqual({ led: { color: 'red' }, interval: 60 });
    const applied = run([report('s1', 2, { led: { color: 'red' }, interval: 30 })], wanted).state;
    expect(delta(applied.shadow)).toEqual({ interval: 60 });
    expect(applied.shadow.reported).toEqual({ led: { color: 'red' }, interval: 30 });
  });

  it('nested reported objects merge and null deletes', () => {
    const s = run([
      connect('s1'),
      report('s1', 2, { meter: { kwh: 1, v: 230 } }),
      report('s1', 3, { meter: { kwh: 2, v: null } }),
    ]).state;
    expect(s.shadow.reported).toEqual({ meter: { kwh: 2 } });
  });

  it.each([
    { name: 'the current version', expected: 'current', refused: [] },
    { name: 'a stale version', expected: 'stale', refused: ['twin:shadow.version-conflict'] },
  ])('a desired change against $name', ({ expected, refused }) => {
    const start = run([desire({ a: 1 })], aDevice()).state;
    const version = expected === 'current' ? start.shadow.version : start.shadow.version - 1;
    const { rejections, state } = run([desire({ a: 2 }, version)], start);
    expect(rejections).toEqual(refused);
    expect(state.shadow.desired).toEqual({ a: refused.length ? 1 : 2 });
  });

  it('refuses an invalid patch and desired state for a retired device', () => {
    expect(run([desire(['not', 'an', 'object'])], aDevice()).rejections).toEqual([
      'twin:shadow.invalid-patch',
    ]);
    expect(run([desire({ a: 1 })], aDevice({ lifecycleState: 'retired' })).rejections).toEqual([
      'twin:device.closed',
    ]);
  });

  it('a no-op desired change records nothing', () => {
    const start = run([desire({ a: 1 })], aDevice()).state;
    expect(run([desire({ a: 1 })], start).events).toEqual([]);
  });

  it('keeps flagged fields and clears a flag when the field comes back clean', () => {
    const flagged = report('s1', 2, { tempF: 70, rssi: -60 }, { tempF: 'profile:field.unknown' });
    const s1 = run([connect('s1'), flagged]).state;
    expect(s1.shadow.reported).toEqual({ tempF: 70, rssi: -60 });
    expect(s1.flagged).toEqual({ tempF: 'profile:field.unknown' });
    const s2 = run([report('s1', 3, { tempF: 71 })], s1).state;
    expect(s2.flagged).toEqual({});
  });
});
