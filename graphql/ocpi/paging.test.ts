import { describe, expect, it } from 'vitest';
import { OcpiError } from './envelope';
import { OCPI_MAX_LIMIT, pageHeaders, parsePage } from './paging';

const params = (query: string) => new URLSearchParams(query);

describe('OCPI paging', () => {
  it('reads offset, limit and the date window, lowering a limit above the maximum', () => {
    expect(parsePage(params(''))).toEqual({ offset: 0, limit: OCPI_MAX_LIMIT });
    expect(parsePage(params('offset=20&limit=5'))).toEqual({ offset: 20, limit: 5 });
    expect(parsePage(params('limit=100000')).limit).toBe(OCPI_MAX_LIMIT);
    expect(parsePage(params('date_from=2026-12-01T00:00:00Z')).dateFrom).toEqual(
      new Date('2026-12-01T00:00:00Z'),
    );
  });

  it.each(['offset=-1', 'limit=ten', 'offset=1.5', 'date_to=yesterday'])(
    'refuses %s with OCPI status 2001',
    (query) => {
      let thrown: unknown;
      try {
        parsePage(params(query));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(OcpiError);
      expect((thrown as OcpiError).ocpiStatus).toBe(2001);
      expect((thrown as OcpiError).httpStatus).toBe(400);
    },
  );

  it('links the next page while there is one, keeping the other parameters', () => {
    const url = new URL('https://cpo.example/ocpi/cpo/2.2.1/locations?limit=2&date_from=x');
    const first = pageHeaders(url, { offset: 0, limit: 2 }, 5);
    expect(first['x-total-count']).toBe('5');
    expect(first['x-limit']).toBe('2');
    expect(first.link).toBe(
      '<https://cpo.example/ocpi/cpo/2.2.1/locations?limit=2&date_from=x&offset=2>; rel="next"',
    );
    expect(pageHeaders(url, { offset: 4, limit: 2 }, 5).link).toBeUndefined();
  });
});
