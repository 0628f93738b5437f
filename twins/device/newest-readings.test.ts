import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../shadow';
import { withoutOlderReadings } from './newest-readings';
import { connect, report, run } from './test-builders';

const E = 'Energy.Active.Import.Register';
const reading = (value: number, at: string) => ({ value, unit: 'Wh', at });
const T8 = '2026-01-01T08:00:00Z';
const T10 = '2026-01-01T10:00:00Z';

interface Case {
  name: string;
  known: JsonObject;
  report: Record<string, unknown>;
  want: Record<string, unknown>;
}

describe('withoutOlderReadings: the newest reading by its own time wins, per measurand', () => {
  it.each<Case>([
    {
      name: 'an older reading is dropped',
      known: { meter: { [E]: reading(9, T10) } },
      report: { meter: { [E]: reading(5, T8) } },
      want: {},
    },
    {
      name: 'a newer reading passes',
      known: { meter: { [E]: reading(5, T8) } },
      report: { meter: { [E]: reading(9, T10) } },
      want: { meter: { [E]: reading(9, T10) } },
    },
    {
      name: 'a reading of the same time passes (a correction or a retry)',
      known: { meter: { [E]: reading(5, T8) } },
      report: { meter: { [E]: reading(6, T8) } },
      want: { meter: { [E]: reading(6, T8) } },
    },
    {
      name: 'per measurand: the older one goes, the other stays, the rest of the report too',
      known: { meter: { [E]: reading(9, T10) } },
      report: { meter: { [E]: reading(5, T8), 'Voltage.L1-N': reading(230, T8) }, status: 'ok' },
      want: { meter: { 'Voltage.L1-N': reading(230, T8) }, status: 'ok' },
    },
    {
      name: 'the same instant in another offset is the same time',
      known: { meter: { [E]: reading(9, '2026-01-01T10:00:00+02:00') } },
      report: { meter: { [E]: reading(5, T8) } },
      want: { meter: { [E]: reading(5, T8) } },
    },
    {
      name: 'readings without a time merge as before',
      known: { meter: { energy: 12 } },
      report: { meter: { energy: 11 } },
      want: { meter: { energy: 11 } },
    },
  ])('$name', ({ known, report, want }) => {
    expect(withoutOlderReadings(known, report)).toEqual(want);
  });
});

describe('device twin: reported meter', () => {
  const live = report('s1', 2, { meter: { [E]: reading(9, T10) } });
  const replayed = report('s1', 3, { meter: { [E]: reading(5, T8) } });

  it('keeps the newest reading when an older one arrives later', () => {
    const { state, events } = run([connect('s1'), live, replayed]);
    expect(state.shadow.reported).toEqual({ meter: { [E]: reading(9, T10) } });
    expect(events.filter((e) => e.type === 'reported')).toHaveLength(1);
  });

  it('runs started before the rule replay as recorded: the later report replaced the reading', () => {
    const { state } = run([connect('s1'), live, replayed], undefined, {
      offlineGraceMs: 0,
      newestReadingsWin: false,
    });
    expect(state.shadow.reported).toEqual({ meter: { [E]: reading(5, T8) } });
  });
});
