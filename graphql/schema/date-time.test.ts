import { describe, expect, it } from 'vitest';
import { DateTime } from './date-time';

/** What the answer's JSON carries. */
const json = (value: unknown) => JSON.parse(JSON.stringify(DateTime.serialize(value)));

describe('the DateTime scalar', () => {
  it("answers PostgreSQL's text form of a timestamp as RFC 3339, and still refuses what is no time", () => {
    expect(json('2026-12-04 15:25:58.32+00')).toBe('2026-12-04T15:25:58.320Z');
    expect(json('2026-12-04 17:25:58+02')).toBe('2026-12-04T15:25:58.000Z');
    expect(json('2026-12-04T15:25:58.320Z')).toBe('2026-12-04T15:25:58.320Z');
    expect(json(new Date('2026-12-04T15:25:58Z'))).toBe('2026-12-04T15:25:58.000Z');
    expect(() => DateTime.serialize('2026-13-45 99:99:99+00')).toThrow();
    expect(() => DateTime.serialize('yesterday')).toThrow();
  });
});
