import { describe, expect, it } from 'vitest';
import { schedulePhase, windowAt } from './schedule';
import { scheduleSchema } from './schedule-schema';

const at = (iso: string) => new Date(iso);
const nightly = [{ cron: '0 1 * * *', durationMinutes: 240 }];

describe('maintenance windows', () => {
  it.each([
    ['2026-12-01T00:59:59Z', false, '2026-12-01T01:00:00.000Z'],
    ['2026-12-01T01:00:00Z', true, '2026-12-01T05:00:00.000Z'],
    ['2026-12-01T04:59:59Z', true, '2026-12-01T05:00:00.000Z'],
    ['2026-12-01T05:00:00Z', false, '2026-12-02T01:00:00.000Z'],
  ])('at %s open=%s, changes at %s', (now, open, changesAt) => {
    const w = windowAt(at(now), nightly, 'UTC');
    expect(w.open).toBe(open);
    expect(w.changesAt?.toISOString()).toBe(changesAt);
  });

  it('reads the cron in the time zone given, daylight saving included', () => {
    // 01:00 in Berlin is 00:00 UTC in winter and 23:00 UTC the day before in summer.
    expect(windowAt(at('2026-12-01T00:30:00Z'), nightly, 'Europe/Berlin')).toEqual({
      open: true,
      changesAt: at('2026-12-01T04:00:00Z'),
    });
    expect(windowAt(at('2026-07-01T00:30:00Z'), nightly, 'Europe/Berlin').changesAt).toEqual(
      at('2026-07-01T03:00:00Z'),
    );
  });

  it('merges windows that overlap or follow each other', () => {
    const windows = [
      { cron: '0 1 * * *', durationMinutes: 120 },
      { cron: '0 2 * * *', durationMinutes: 120 },
      { cron: '0 4 * * *', durationMinutes: 30 },
    ];
    expect(windowAt(at('2026-12-01T01:10:00Z'), windows, 'UTC').changesAt).toEqual(
      at('2026-12-01T04:30:00Z'),
    );
  });

  it('merges a window longer than its period into one that never closes within the bound', () => {
    const w = windowAt(
      at('2026-12-01T00:10:00Z'),
      [{ cron: '*/10 * * * *', durationMinutes: 15 }],
      'UTC',
    );
    expect(w.open).toBe(true);
    expect(w.changesAt!.getTime()).toBeGreaterThan(at('2026-12-01T10:00:00Z').getTime());
  });
});

describe('schedule phase', () => {
  const schedule = scheduleSchema.parse({
    startAt: '2026-12-01T00:00:00Z',
    endAt: '2026-12-03T03:00:00Z',
    maintenanceWindows: nightly,
  });
  it.each([
    ['2026-11-30T12:00:00Z', 'before-start', '2026-12-01T00:00:00.000Z'],
    ['2026-12-01T00:00:00Z', 'outside-window', '2026-12-01T01:00:00.000Z'],
    ['2026-12-01T02:00:00Z', 'open', '2026-12-01T05:00:00.000Z'],
    ['2026-12-03T02:00:00Z', 'open', '2026-12-03T03:00:00.000Z'],
    ['2026-12-03T03:00:00Z', 'ended', undefined],
  ])('at %s: %s until %s', (now, phase, changesAt) => {
    const p = schedulePhase(at(now), schedule);
    expect(p.phase).toBe(phase);
    expect(p.changesAt?.toISOString()).toBe(changesAt);
  });

  it('is always open without a schedule, and open until the end without windows', () => {
    expect(schedulePhase(at('2026-12-01T00:00:00Z'), undefined)).toEqual({
      phase: 'open',
      changesAt: null,
    });
    expect(
      schedulePhase(
        at('2026-12-01T00:00:00Z'),
        scheduleSchema.parse({ endAt: '2026-12-02T00:00:00Z' }),
      ),
    ).toEqual({ phase: 'open', changesAt: at('2026-12-02T00:00:00Z') });
  });

  it.each([
    [{ maintenanceWindows: [{ cron: 'every night', durationMinutes: 60 }] }, 'cron expression'],
    [{ timezone: 'Mars/Olympus' }, 'IANA time zone'],
    [{ startAt: '2026-12-02T00:00:00Z', endAt: '2026-12-01T00:00:00Z' }, 'endAt must be after'],
    [{ startAt: 'tomorrow' }, 'datetime'],
  ])('refuses %j with a reason', (input, reason) => {
    const parsed = scheduleSchema.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain(reason);
  });
});
