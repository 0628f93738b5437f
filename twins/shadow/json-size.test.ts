import { describe, expect, it } from 'vitest';
import { jsonSize } from './json-size';
import { shadowSize } from './limits';
import { emptyShadow } from './state';

describe('JSON size in UTF-8 bytes', () => {
  it.each<{ name: string; value: unknown; bytes: number }>([
    { name: 'an empty object', value: {}, bytes: 2 },
    { name: 'ASCII', value: { a: 'xyz' }, bytes: 11 },
    { name: 'a two-byte character', value: 'é', bytes: 4 },
    { name: 'a three-byte character', value: '€', bytes: 5 },
    { name: 'a four-byte character (a surrogate pair)', value: '😀', bytes: 6 },
    { name: 'a lone surrogate, escaped by JSON', value: '\ud800', bytes: 8 },
  ])('$name', ({ value, bytes }) => {
    expect(jsonSize(value)).toBe(bytes);
  });

  it('measures an empty shadow as its desired and reported only', () => {
    expect(shadowSize(emptyShadow())).toBe('{"desired":{},"reported":{}}'.length);
  });
});
