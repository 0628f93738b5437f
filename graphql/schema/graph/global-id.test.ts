import { describe, expect, it } from 'vitest';
import { connection, encodeCursor, pageRequest } from './connection';
import { globalId, parseGlobalId } from './global-id';

const codeOf = (f: () => unknown) => {
  try {
    f();
    return 'no error';
  } catch (error) {
    return (error as { extensions?: { code?: string } }).extensions?.code;
  }
};

describe('global ids', () => {
  it('are base64 of Type:tenant:id and decode back', () => {
    const id = globalId('Asset', 'acme', 'bay-3');
    expect(Buffer.from(id, 'base64').toString()).toBe('Asset:acme:bay-3');
    expect(parseGlobalId(id)).toEqual({ type: 'Asset', tenantId: 'acme', id: 'bay-3' });
  });

  it.each([
    ['an unknown type', Buffer.from('Thing:acme:x').toString('base64')],
    ['too many parts', Buffer.from('Asset:acme:x:y').toString('base64')],
    ['an invalid tenant', Buffer.from('Asset:a b:x').toString('base64')],
    ['not base64 of anything', '!!!'],
  ])('refuses %s', (_, id) => {
    expect(codeOf(() => parseGlobalId(id))).toBe('api:input.invalid-global-id');
  });
});

describe('pages and cursors', () => {
  it.each([
    [{}, { first: 50, after: null }],
    [
      { first: 3, after: encodeCursor('d-7') },
      { first: 3, after: 'd-7' },
    ],
  ])('reads %j as %j', (args, want) => {
    expect(pageRequest(args)).toEqual(want);
  });

  it.each([
    [{ first: 0 }, 'api:input.invalid-page-size'],
    [{ first: 501 }, 'api:input.invalid-page-size'],
    [{ after: 'bm9wZQ' }, 'api:input.invalid-cursor'],
  ])('refuses %j', (args, code) => {
    expect(codeOf(() => pageRequest(args))).toBe(code);
  });

  it('shows first rows and tells from the extra row that a next page exists', () => {
    const page = { first: 2, after: null };
    const c = connection(
      ['a', 'b', 'c'],
      page,
      (r) => r,
      (r) => r.toUpperCase(),
      async () => 3,
    );
    expect(c.nodes).toEqual(['A', 'B']);
    expect(c.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: encodeCursor('a'),
      endCursor: encodeCursor('b'),
    });
    const last = connection(
      ['c'],
      { first: 2, after: 'b' },
      (r) => r,
      (r) => r,
      async () => 3,
    );
    expect(last.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });
});
