import { describe, expect, it } from 'vitest';
import { delta, inSync } from './delta';
import type { JsonObject } from './json';
import { aShadow } from './test-support';

describe('shadow delta', () => {
  it.each<{ name: string; desired: JsonObject; reported: JsonObject; want: JsonObject }>([
    { name: 'an empty shadow is in sync', desired: {}, reported: {}, want: {} },
    {
      name: 'equal documents are in sync',
      desired: { a: 1, b: { c: [1, { d: 2 }] } },
      reported: { b: { c: [1, { d: 2 }] }, a: 1 },
      want: {},
    },
    {
      name: 'a differing scalar',
      desired: { a: 1, b: 2 },
      reported: { a: 2, b: 2 },
      want: { a: 1 },
    },
    {
      name: 'a number differs from its string',
      desired: { a: 1 },
      reported: { a: '1' },
      want: { a: 1 },
    },
    { name: 'a key only in desired', desired: { a: 1, b: 2 }, reported: { a: 1 }, want: { b: 2 } },
    {
      name: 'a key only in reported is left out',
      desired: { a: 1 },
      reported: { a: 1, z: 9 },
      want: {},
    },
    { name: 'reported keys only, nothing desired', desired: {}, reported: { z: 9 }, want: {} },
    {
      name: 'only the differing leaf of a nested object',
      desired: { led: { color: 'red', level: 3 } },
      reported: { led: { color: 'blue', level: 3 } },
      want: { led: { color: 'red' } },
    },
    {
      name: 'a differing leaf several levels deep',
      desired: { a: { b: { c: 1, e: 5 } } },
      reported: { a: { b: { c: 2, d: 3, e: 5 } } },
      want: { a: { b: { c: 1 } } },
    },
    {
      name: 'a nested object that reported lacks, whole',
      desired: { led: { color: 'red', level: 3 } },
      reported: {},
      want: { led: { color: 'red', level: 3 } },
    },
    {
      name: 'a nested object where reported has a scalar, whole',
      desired: { led: { color: 'red' } },
      reported: { led: 'off' },
      want: { led: { color: 'red' } },
    },
    {
      name: 'a scalar where reported has an object',
      desired: { led: 'off' },
      reported: { led: { color: 'red' } },
      want: { led: 'off' },
    },
    {
      name: 'a differing array, whole',
      desired: { modes: [1, 2, 3] },
      reported: { modes: [1, 2] },
      want: { modes: [1, 2, 3] },
    },
    {
      name: 'an array in another order differs',
      desired: { modes: [1, 2] },
      reported: { modes: [2, 1] },
      want: { modes: [1, 2] },
    },
    {
      name: 'equal arrays of objects in another key order',
      desired: { a: [{ x: 1, y: 2 }] },
      reported: { a: [{ y: 2, x: 1 }] },
      want: {},
    },
  ])('$name', ({ desired, reported, want }) => {
    const shadow = aShadow({ desired, reported });
    expect(delta(shadow)).toEqual(want);
    expect(inSync(shadow)).toBe(Object.keys(want).length === 0);
  });
});
