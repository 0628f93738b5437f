import { describe, expect, it } from 'vitest';
import { siteLoads, type SiteSessionFact } from './offline-stations';

const session = (deviceId: string, n: number): SiteSessionFact => ({
  deviceId,
  protocol: 'ocpp1.6',
  transactionId: String(n),
  connectorId: 1,
  token: `tok${n}`,
  startedAt: `2026-12-05T10:0${n}:00.000Z`,
});
const sessions = [session('cs1', 1), session('cs2', 2), session('cs3', 3)];
const sent = { 'cs1:1': 7334, 'cs2:2': 7333, 'cs3:3': 7333 };

describe('offline stations at a site', () => {
  it('holds an offline station’s share until the delay has passed, then releases it', () => {
    const dropped = siteLoads({
      sessions,
      offline: ['cs3'],
      offlineSince: {},
      sent,
      now: 1000,
      releaseDelayMs: 5000,
    });
    expect(dropped.offlineSince).toEqual({ cs3: 1000 });
    expect(dropped.nextRelease).toBe(6000);
    expect(dropped.loads.find((l) => l.stationId === 'cs3')).toMatchObject({ held: 7333 });
    const later = siteLoads({
      sessions,
      offline: ['cs3'],
      offlineSince: dropped.offlineSince,
      sent,
      now: 5999,
      releaseDelayMs: 5000,
    });
    expect(later.loads).toHaveLength(3);
    const released = siteLoads({
      sessions,
      offline: ['cs3'],
      offlineSince: dropped.offlineSince,
      sent,
      now: 6000,
      releaseDelayMs: 5000,
    });
    expect(released.loads.map((l) => l.stationId)).toEqual(['cs1', 'cs2']);
    expect(released.nextRelease).toBeNull();
  });

  it('counts a station back online as any other and forgets when it dropped', () => {
    const back = siteLoads({
      sessions,
      offline: [],
      offlineSince: { cs3: 1000 },
      sent,
      now: 2000,
      releaseDelayMs: 5000,
    });
    expect(back.offlineSince).toEqual({});
    expect(back.loads.every((l) => l.held === undefined)).toBe(true);
  });

  it('counts each counted station’s connectors without a session as idle, offline ones at their default', () => {
    const stations = [
      { deviceId: 'cs1', protocol: 'ocpp1.6' as const, connection: 'a', points: [1, 2] },
      { deviceId: 'cs2', protocol: 'ocpp1.6' as const, connection: 'b', points: [] },
      { deviceId: 'cs3', protocol: 'ocpp1.6' as const, connection: null, points: [1, 2, 3] },
      { deviceId: 'cs4', protocol: 'ocpp2.0.1' as const, connection: null, points: [1] },
    ];
    const counted = siteLoads({
      sessions,
      offline: ['cs3', 'cs4'],
      offlineSince: { cs4: 0 },
      sent,
      now: 6000,
      releaseDelayMs: 5000,
      stations,
      defaults: { cs3: 4000 },
    });
    // cs2 reported no connector: its one runs a session. cs4's delay has passed.
    expect(counted.idle).toEqual([
      { stationId: 'cs1', count: 1 },
      { stationId: 'cs2', count: 0 },
      { stationId: 'cs3', count: 2, held: 4000 },
    ]);
    expect(counted.nextRelease).toBe(11000);
  });
});
