import { describe, expect, it } from 'vitest';
import { desiredPatch, parseDesired } from './desired-patch';

describe('desiredPatch', () => {
  it.each([
    ['nothing changed', { a: 1, b: { c: 2 } }, { a: 1, b: { c: 2 } }, {}],
    ['a value changed', { a: 1 }, { a: 2 }, { a: 2 }],
    ['a key added', {}, { mode: 'eco' }, { mode: 'eco' }],
    ['a key removed', { a: 1, b: 2 }, { b: 2 }, { a: null }],
    [
      'a nested key removed',
      { led: { color: 'red', on: true } },
      { led: { on: true } },
      { led: { color: null } },
    ],
    [
      'a nested key changed',
      { led: { color: 'red', on: true } },
      { led: { color: 'blue', on: true } },
      { led: { color: 'blue' } },
    ],
    ['an array replaced whole', { l: [1, 2] }, { l: [1, 3] }, { l: [1, 3] }],
    ['an object in place of a scalar', { a: 1 }, { a: { b: 1 } }, { a: { b: 1 } }],
    ['a scalar in place of an object', { a: { b: 1 } }, { a: 1 }, { a: 1 }],
    ['an explicit null kept as a deletion', { a: 1 }, { a: null }, { a: null }],
  ])('%s', (_, before, after, patch) => {
    expect(desiredPatch(before, after)).toEqual(patch);
  });
});

describe('parseDesired', () => {
  it('takes a JSON object', () => {
    expect(parseDesired('{"interval": 60}')).toEqual({ document: { interval: 60 } });
  });
  it('refuses what is not JSON, and JSON that is not an object', () => {
    expect(parseDesired('{interval: 60}')).toMatchObject({
      problem: expect.stringMatching(/^not JSON/),
    });
    expect(parseDesired('[1]')).toEqual({
      problem: 'the desired state must be a JSON object ({ … })',
    });
    expect(parseDesired('null')).toEqual({
      problem: 'the desired state must be a JSON object ({ … })',
    });
  });
});
