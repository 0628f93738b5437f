import { OCPI_STATUS, OcpiError } from './envelope';

/** The most objects Doppel answers in one page of a list (OCPI's `X-Limit`). */
export const OCPI_MAX_LIMIT = 100;

/** A list request's window: `offset`, `limit` and the `date_from`/`date_to` filter. */
export interface OcpiPage {
  readonly offset: number;
  readonly limit: number;
  readonly dateFrom?: Date;
  readonly dateTo?: Date;
}

const bad = (message: string) =>
  new OcpiError('ocpi:input.paging', 400, OCPI_STATUS.invalidParameters, message);

function count(params: URLSearchParams, name: string, fallback: number): number {
  const value = params.get(name);
  if (value === null) return fallback;
  if (!/^\d{1,9}$/.test(value)) throw bad(`${name} must be a whole number ≥ 0, not "${value}"`);
  return Number(value);
}

function date(params: URLSearchParams, name: string): Date | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime()))
    throw bad(`${name} must be an RFC 3339 date-time, not "${value}"`);
  return at;
}

/** Reads a list request's paging; a limit above Doppel's maximum is lowered to it (the spec). */
export function parsePage(params: URLSearchParams): OcpiPage {
  const limit = Math.min(count(params, 'limit', OCPI_MAX_LIMIT), OCPI_MAX_LIMIT);
  const dateFrom = date(params, 'date_from');
  const dateTo = date(params, 'date_to');
  return {
    offset: count(params, 'offset', 0),
    limit,
    ...(dateFrom ? { dateFrom } : {}),
    ...(dateTo ? { dateTo } : {}),
  };
}

/**
 * The paging headers of an answer: `X-Total-Count`, `X-Limit`, and a `Link` to the next page
 * (the same request with the offset moved on) while there is one.
 */
export function pageHeaders(url: URL, page: OcpiPage, total: number): Record<string, string> {
  const headers: Record<string, string> = {
    'x-total-count': String(total),
    'x-limit': String(page.limit),
  };
  const nextOffset = page.offset + page.limit;
  if (page.limit > 0 && nextOffset < total) {
    const next = new URL(url);
    next.searchParams.set('offset', String(nextOffset));
    next.searchParams.set('limit', String(page.limit));
    headers.link = `<${next.toString()}>; rel="next"`;
  }
  return headers;
}
