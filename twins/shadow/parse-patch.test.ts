import { describe, expect, it } from 'vitest';
import { isRejection } from '../errors';
import { SHADOW_INVALID_PATCH } from './codes';
import { SHADOW_MAX_BYTES, SHADOW_MAX_DEPTH, shadowSize } from './limits';
import { parsePatch } from './parse-patch';
import { emptyShadow } from './state';
import { aShadow, applied, T1 } from './test-support';
import { updateDesired, updateReported } from './update';

/** `{ l1: { l2: ... { l<levels>: leaf } } }`: a value written at depth `levels`. */
function nested(levels: number, leaf: unknown): Record<string, unknown> {
  let value = leaf;
  for (let i = levels; i >= 1; i--) value = { [`l${i}`]: value };
  return value as Record<string, unknown>;
}

class Point {
  x = 1;
}

const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;

describe('shadow patch validation', () => {
  it.each<{ name: string; patch: unknown; message: RegExp }>([
    { name: 'null', patch: null, message: /must be a JSON object, got null/ },
    { name: 'a string', patch: 'on', message: /must be a JSON object, got a string/ },
    { name: 'a number', patch: 42, message: /must be a JSON object, got a number/ },
    { name: 'an array', patch: [{ a: 1 }], message: /must be a JSON object, got an array/ },
    { name: 'a Date', patch: new Date(0), message: /must be a JSON object, got a Date/ },
    { name: 'a Map', patch: new Map([['a', 1]]), message: /got a Map/ },
    { name: 'an undefined value', patch: { a: undefined }, message: /"a" is undefined/ },
    { name: 'NaN', patch: { a: { b: NaN } }, message: /"a.b" is NaN, which JSON cannot hold/ },
    { name: 'Infinity', patch: { a: Infinity }, message: /"a" is Infinity/ },
    { name: 'a function', patch: { a: () => 1 }, message: /"a" is a function/ },
    { name: 'a bigint', patch: { a: 1n }, message: /"a" is a bigint/ },
    { name: 'a class instance', patch: { at: new Point() }, message: /"at" is a Point/ },
    { name: 'a hole in an array', patch: { a: [1, undefined] }, message: /"a.1" is undefined/ },
    {
      name: 'a __proto__ key',
      patch: JSON.parse('{"a":{"__proto__":1}}'),
      message: /"a.__proto__" is not an allowed key/,
    },
    {
      name: 'nine levels of objects',
      patch: nested(9, 1),
      message: /deeper than 8 levels at "l1.l2.l3.l4.l5.l6.l7.l8.l9"/,
    },
    {
      name: 'an array below eight levels',
      patch: nested(8, [1]),
      message: /deeper than 8 levels at ".*l8.0"/,
    },
    { name: 'a cycle', patch: cyclic, message: /deeper than 8 levels at "self.self/ },
  ])('refuses $name', ({ patch, message }) => {
    const out = updateDesired(emptyShadow(), patch, { at: T1 });
    expect(out).toMatchObject({ rejected: true, code: SHADOW_INVALID_PATCH });
    expect(isRejection(out) && out.message).toMatch(message);
  });

  it.each<{ name: string; patch: unknown }>([
    { name: 'eight levels of objects', patch: nested(SHADOW_MAX_DEPTH, 1) },
    { name: 'an empty array at level eight', patch: nested(SHADOW_MAX_DEPTH, []) },
    { name: 'an object without prototype', patch: Object.assign(Object.create(null), { a: 1 }) },
    {
      name: 'every JSON type',
      patch: { s: 'x', n: -1.5, b: false, z: null, a: [null, 'y', { o: {} }] },
    },
  ])('accepts $name', ({ patch }) => {
    expect(isRejection(parsePatch(patch))).toBe(false);
  });
});

describe('shadow size limit', () => {
  const base = shadowSize(aShadow({ desired: { s: '' } }));
  const room = SHADOW_MAX_BYTES - base; // characters of ASCII that still fit in desired.s

  it.each<{ name: string; value: string; accepted: boolean }>([
    { name: 'a document of exactly the limit', value: 'x'.repeat(room), accepted: true },
    { name: 'one byte over the limit', value: 'x'.repeat(room + 1), accepted: false },
    {
      name: 'multi-byte characters counted in bytes',
      value: 'é'.repeat(room / 2 + 1),
      accepted: false,
    },
  ])('$name', ({ value, accepted }) => {
    const out = updateDesired(emptyShadow(), { s: value }, { at: T1 });
    if (accepted) expect(shadowSize(applied(out).shadow)).toBe(SHADOW_MAX_BYTES);
    else {
      expect(out).toMatchObject({ rejected: true, code: SHADOW_INVALID_PATCH });
      expect(isRejection(out) && out.message).toMatch(/over the limit of 65536; .*set.* to null/);
    }
  });

  it('counts desired and reported together', () => {
    const half = aShadow({ desired: { s: 'x'.repeat(room / 2) } });
    const out = updateReported(half, { s: 'x'.repeat(room / 2) }, { at: T1 });
    expect(out).toMatchObject({ rejected: true, code: SHADOW_INVALID_PATCH });
  });

  it('still accepts a patch that shrinks a full shadow', () => {
    const full = aShadow({ desired: { s: 'x'.repeat(room) } });
    expect(applied(updateDesired(full, { s: null }, { at: T1 })).shadow.desired).toEqual({});
  });
});
