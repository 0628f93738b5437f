import { describe, expect, it } from 'vitest';
import { seriesOf, unitsOf } from './telemetry-series';

describe('telemetry as chart series', () => {
  it('groups by channel and field, oldest first, with the profile units, numbers only', () => {
    const samples = [
      { at: '2026-01-01T00:00:02Z', channel: 'connector:1', values: { powerKW: 7, status: 'ok' } },
      { at: '2026-01-01T00:00:01Z', channel: '', values: { energyKWh: 2, powerKW: 1 } },
      { at: '2026-01-01T00:00:00Z', channel: '', values: { energyKWh: 1 } },
    ];
    expect(seriesOf(samples, { energyKWh: 'kWh', powerKW: 'kW' })).toEqual([
      {
        channel: '',
        field: 'energyKWh',
        unit: 'kWh',
        times: [1767225600, 1767225601],
        values: [1, 2],
      },
      { channel: '', field: 'powerKW', unit: 'kW', times: [1767225601], values: [1] },
      { channel: 'connector:1', field: 'powerKW', unit: 'kW', times: [1767225602], values: [7] },
    ]);
  });

  it('has no unit for a field the profile does not give one (or without a profile)', () => {
    const samples = [{ at: '2026-01-01T00:00:00Z', channel: '', values: { rssi: -61 } }];
    expect(seriesOf(samples, {})[0]?.unit).toBeNull();
  });

  it("reads the units from a profile document's fields", () => {
    expect(unitsOf({ fields: { energyKWh: { unit: 'kWh' }, status: { type: 'enum' } } })).toEqual({
      energyKWh: 'kWh',
    });
    expect(unitsOf(null)).toEqual({});
  });
});
