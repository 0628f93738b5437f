import { describe, it } from 'vitest';
import type { JsonObject } from './json';
import { expectDesiredMerge } from './test-support';

type Case = {
  name: string;
  start: JsonObject;
  patch: JsonObject;
  want: JsonObject;
  paths: string[][];
};

describe('shadow deletes with null', () => {
  it.each<Case>([
    {
      name: 'null deletes a key',
      start: { a: 1, b: 2 },
      patch: { a: null },
      want: { b: 2 },
      paths: [['a']],
    },
    {
      name: 'null deletes a whole nested object',
      start: { a: { b: 1, c: 2 }, d: 1 },
      patch: { a: null },
      want: { d: 1 },
      paths: [['a']],
    },
    {
      name: 'null of an absent key changes nothing',
      start: { a: 1 },
      patch: { z: null },
      want: { a: 1 },
      paths: [],
    },
    {
      name: 'a nested delete that empties its parent removes the parent',
      start: { led: { color: 'red' }, fan: 1 },
      patch: { led: { color: null } },
      want: { fan: 1 },
      paths: [['led', 'color']],
    },
    {
      name: 'emptied parents are removed up the chain',
      start: { a: { b: { c: 1 } }, x: 1 },
      patch: { a: { b: { c: null } } },
      want: { x: 1 },
      paths: [['a', 'b', 'c']],
    },
    {
      name: 'a nested delete keeps a parent that still has keys',
      start: { led: { color: 'red', level: 3 } },
      patch: { led: { color: null } },
      want: { led: { level: 3 } },
      paths: [['led', 'color']],
    },
    {
      name: 'a delete and a set in one patch',
      start: { led: { color: 'red' }, fan: 1 },
      patch: { led: { color: null, level: 2 }, fan: null },
      want: { led: { level: 2 } },
      paths: [['led', 'color'], ['led', 'level'], ['fan']],
    },
    {
      name: 'deleting absent keys under a scalar leaves it alone',
      start: { a: 1 },
      patch: { a: { b: null } },
      want: { a: 1 },
      paths: [],
    },
  ])('$name', ({ start, patch, want, paths }) => {
    expectDesiredMerge(start, patch, { desired: want, paths });
  });
});
