import { describe, expect, it } from 'vitest';
import { evseDocument, ocpiId, type LocationAsset } from './location-document';

const at = new Date('2026-12-05T10:00:00Z');
const asset = (
  reported: Record<string, unknown> | null,
  connectivity = 'online',
): LocationAsset => ({
  siteId: 'site',
  assetId: 'bay-1',
  name: 'Bay 1',
  attributes: {},
  deviceId: 'cp-1',
  connectivity,
  reported,
  lastUpdated: at,
});
const v16 = (statuses: Record<string, string>) => ({
  connectors: Object.fromEntries(Object.entries(statuses).map(([id, status]) => [id, { status }])),
});

describe('an asset as an OCPI EVSE', () => {
  it.each([
    [{ 1: 'Available' }, 'AVAILABLE'],
    [{ 1: 'Preparing' }, 'CHARGING'],
    [{ 1: 'SuspendedEV' }, 'CHARGING'],
    [{ 1: 'Reserved' }, 'RESERVED'],
    [{ 1: 'Unavailable' }, 'INOPERATIVE'],
    [{ 1: 'Faulted' }, 'OUTOFORDER'],
    [{ 1: 'Available', 2: 'Charging' }, 'CHARGING'],
    [{ 0: 'Faulted', 1: 'Available' }, 'OUTOFORDER'],
    [{ 1: 'SomethingNew' }, 'UNKNOWN'],
  ])('1.6 connectors %j are %s', (statuses, expected) => {
    expect(evseDocument(asset(v16(statuses))).status).toBe(expected);
  });

  it('reads 2.0.1 EVSEs, and is UNKNOWN while its station is offline or before any report', () => {
    const reported = { evses: { 1: { connectors: { 1: { status: 'Occupied' } } } } };
    expect(evseDocument(asset(reported))).toMatchObject({
      status: 'CHARGING',
      connectors: [{ id: '1', standard: 'IEC_62196_T2' }],
    });
    expect(evseDocument(asset(reported, 'offline')).status).toBe('UNKNOWN');
    expect(evseDocument(asset(null))).toMatchObject({
      status: 'UNKNOWN',
      connectors: [{ id: '1' }],
    });
  });

  it('takes the connector kind from the asset attribute ocpiConnector', () => {
    const dc = {
      ...asset(v16({ 1: 'Available' })),
      attributes: {
        ocpiConnector: {
          standard: 'IEC_62196_T2_COMBO',
          format: 'CABLE',
          power_type: 'DC',
          max_voltage: 920,
          max_amperage: 200,
          max_electric_power: 150000,
        },
      },
    };
    expect(evseDocument(dc).connectors[0]).toMatchObject({
      standard: 'IEC_62196_T2_COMBO',
      power_type: 'DC',
      max_amperage: 200,
    });
  });

  it('keeps ids of up to 36 characters and shortens longer ones stably', () => {
    expect(ocpiId('bay-1')).toBe('bay-1');
    const long = 'a'.repeat(64);
    expect(ocpiId(long)).toHaveLength(36);
    expect(ocpiId(long)).toBe(ocpiId(long));
    expect(ocpiId(long)).not.toBe(ocpiId(`${'a'.repeat(63)}b`));
  });
});
