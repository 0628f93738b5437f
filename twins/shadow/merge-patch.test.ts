import { describe, expect, it } from 'vitest';
import type { JsonObject } from './json';
import { aShadow, applied, expectDesiredMerge, T1 } from './test-support';
import { updateReported } from './update';

type Case = {
  name: string;
  start: JsonObject;
  patch: JsonObject;
  want: JsonObject;
  paths: string[][];
};

describe('shadow partial merge', () => {
  it.each<Case>([
    {
      name: 'adds a new key',
      start: { a: 1 },
      patch: { b: 2 },
      want: { a: 1, b: 2 },
      paths: [['b']],
    },
    {
      name: 'replaces a scalar',
      start: { a: 1 },
      patch: { a: 'x' },
      want: { a: 'x' },
      paths: [['a']],
    },
    {
      name: 'merges nested objects, keeping siblings',
      start: { led: { color: 'red', level: 3 } },
      patch: { led: { level: 5 } },
      want: { led: { color: 'red', level: 5 } },
      paths: [['led', 'level']],
    },
    {
      name: 'merges several levels deep',
      start: { a: { b: { c: 1 } } },
      patch: { a: { b: { d: 2 } } },
      want: { a: { b: { c: 1, d: 2 } } },
      paths: [['a', 'b', 'd']],
    },
    {
      name: 'an array is replaced whole',
      start: { modes: [1, 2, 3] },
      patch: { modes: [4] },
      want: { modes: [4] },
      paths: [['modes']],
    },
    {
      name: 'a nested array is replaced whole, even by an empty one',
      start: { a: { l: [1, 2], k: 1 } },
      patch: { a: { l: [] } },
      want: { a: { l: [], k: 1 } },
      paths: [['a', 'l']],
    },
    {
      name: 'arrays keep nulls and objects as values',
      start: {},
      patch: { a: [null, { b: 1 }] },
      want: { a: [null, { b: 1 }] },
      paths: [['a']],
    },
    {
      name: 'an object replaces a scalar',
      start: { a: 1 },
      patch: { a: { b: 2 } },
      want: { a: { b: 2 } },
      paths: [['a', 'b']],
    },
    {
      name: 'a scalar replaces an object',
      start: { a: { b: 2 } },
      patch: { a: 3 },
      want: { a: 3 },
      paths: [['a']],
    },
    {
      name: 'an array replaces an object',
      start: { a: { b: 2 } },
      patch: { a: [1] },
      want: { a: [1] },
      paths: [['a']],
    },
    {
      name: 'an empty object adds nothing',
      start: { a: 1 },
      patch: { b: {} },
      want: { a: 1 },
      paths: [],
    },
    {
      name: 'an empty object leaves a scalar alone',
      start: { a: 1 },
      patch: { a: {} },
      want: { a: 1 },
      paths: [],
    },
    {
      name: 'an equal array of objects in another key order is no change',
      start: { a: [{ x: 1, y: 2 }] },
      patch: { a: [{ y: 2, x: 1 }] },
      want: { a: [{ x: 1, y: 2 }] },
      paths: [],
    },
    {
      name: 'a key with a dot is one path segment',
      start: {},
      patch: { 'v1.2': { on: true } },
      want: { 'v1.2': { on: true } },
      paths: [['v1.2', 'on']],
    },
  ])('$name', ({ start, patch, want, paths }) => {
    expectDesiredMerge(start, patch, { desired: want, paths });
  });

  it('merges reported with the same rules and leaves desired alone', () => {
    const before = aShadow({ desired: { led: 'on' }, reported: { led: { color: 'red' }, fan: 1 } });
    const out = applied(updateReported(before, { led: { color: null }, fan: [2] }, { at: T1 }));
    expect(out.shadow.reported).toEqual({ fan: [2] });
    expect(out.shadow.desired).toEqual({ led: 'on' });
    expect(out.changes).toEqual({ led: { color: null }, fan: [2] });
  });
});
