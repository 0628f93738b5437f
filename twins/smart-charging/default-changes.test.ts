import { describe, expect, it } from 'vitest';
import { chargingPointsOf } from './charging-points';
import { defaultChanges } from './default-changes';
import type { SiteStationFact } from './offline-stations';

const station = (deviceId: string, connection: string | null): SiteStationFact => ({
  deviceId,
  protocol: 'ocpp1.6',
  connection,
  points: [1],
});

describe('TxDefaultProfile changes', () => {
  it('sends a new or reconnected station its default first, raises in the second round, skips the offline and unchanged', () => {
    const changes = defaultChanges(
      {
        cs1: { limit: 0, connection: 'a' },
        cs2: { limit: 4000, connection: 'old' },
        cs3: { limit: 4000, connection: 'c' },
        cs5: { limit: 6000, connection: 'e' },
      },
      [station('cs1', 'a'), station('cs2', 'b'), station('cs3', 'c'), station('cs4', 'd')].concat([
        station('cs5', 'e'),
        station('cs6', null),
      ]),
      new Set(['cs6']),
      4000,
    );
    expect(changes.lower.map((c) => [c.stationId, c.from, c.to])).toEqual([
      ['cs2', null, 4000],
      ['cs4', null, 4000],
      ['cs5', 6000, 4000],
    ]);
    expect(changes.raise.map((c) => [c.stationId, c.from, c.to])).toEqual([['cs1', 0, 4000]]);
  });
});

describe('charging points', () => {
  it.each([
    [{ connectors: { '0': {}, '2': {}, '1': {} } }, [1, 2]],
    [{ evses: { '1': {}, '3': {} } }, [1, 3]],
    [{ connectors: 'junk', evses: null }, []],
    [{}, []],
  ])('reads %j as %j', (reported, points) => {
    expect(chargingPointsOf(reported)).toEqual(points);
  });
});
