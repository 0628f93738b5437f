import { describe, expect, it } from 'vitest';
import { omitPaths, readPath } from './dot-path';

describe('readPath', () => {
  it.each([
    { raw: { meter: { energy: 12 } }, path: 'meter.energy', want: { found: true, value: 12 } },
    {
      raw: { 'meter.energy': 7, meter: { energy: 12 } },
      path: 'meter.energy',
      want: { found: true, value: 7 },
    },
    { raw: { a: { b: { c: null } } }, path: 'a.b.c', want: { found: true, value: null } },
    { raw: { meter: 12 }, path: 'meter.energy', want: { found: false, value: undefined } },
    { raw: { meter: [1, 2] }, path: 'meter.0', want: { found: false, value: undefined } },
    { raw: {}, path: 'constructor', want: { found: false, value: undefined } },
  ])('reads $path of $raw', ({ raw, path, want }) => {
    expect(readPath(raw, path)).toEqual(want);
  });
});

describe('omitPaths', () => {
  it.each([
    {
      raw: { meter: { energy: 1, serial: 'x' }, power: 2 },
      paths: ['meter.energy'],
      want: { meter: { serial: 'x' }, power: 2 },
    },
    { raw: { meter: { energy: 1 }, power: 2 }, paths: ['meter.energy', 'power'], want: {} },
    {
      raw: { 'meter.energy': 1, meter: { energy: 2 } },
      paths: ['meter.energy'],
      want: { meter: { energy: 2 } },
    },
    { raw: { a: { b: { c: 1, d: 2 } } }, paths: ['a.b.c'], want: { a: { b: { d: 2 } } } },
    { raw: { a: 1 }, paths: ['a.b'], want: { a: 1 } },
  ])('removes $paths from $raw', ({ raw, paths, want }) => {
    expect(omitPaths(raw, paths)).toEqual(want);
  });

  it('leaves the report it was given untouched', () => {
    const raw = { meter: { energy: 1, serial: 'x' } };
    omitPaths(raw, ['meter.energy']);
    expect(raw).toEqual({ meter: { energy: 1, serial: 'x' } });
  });
});
