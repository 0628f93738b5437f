import { describe, expect, it } from 'vitest';
import { deviceProfileSchema } from './device-profile';
import sensorJson from './examples/acme-climate-th1.json';
import meterJson from './examples/acme-meter-em3.json';
import wallboxJson from './examples/acme-wallbox-ac22.json';
import { normaliseReport } from './normalise-report';

const wallbox = deviceProfileSchema.parse(wallboxJson);
const sensor = deviceProfileSchema.parse(sensorJson);
const meter = deviceProfileSchema.parse(meterJson);
const ocpp201 = deviceProfileSchema.parse({
  model: 'acme-dc-150',
  vendor: 'Acme Charging',
  protocol: 'ocpp2.0.1',
  fields: { status: { kind: 'state', type: 'enum' } },
  mapping: { connectorStatus: { field: 'status' } },
  states: {
    status: {
      Available: 'available',
      Occupied: 'occupied',
      Reserved: 'reserved',
      Unavailable: 'unavailable',
      Faulted: 'faulted',
    },
  },
});

describe('normaliseReport: state semantics', () => {
  it.each([
    { protocol: 'ocpp1.6', profile: wallbox, raw: { status: 'Faulted' }, meaning: 'faulted' },
    { protocol: 'ocpp1.6', profile: wallbox, raw: { status: 'SuspendedEV' }, meaning: 'occupied' },
    { protocol: 'ocpp1.6', profile: wallbox, raw: { status: 'Preparing' }, meaning: 'occupied' },
    { protocol: 'ocpp1.6', profile: wallbox, raw: { status: 'Charging' }, meaning: 'charging' },
    { protocol: 'ocpp1.6', profile: wallbox, raw: { status: 'Reserved' }, meaning: 'reserved' },
    {
      protocol: 'ocpp2.0.1',
      profile: ocpp201,
      raw: { connectorStatus: 'Occupied' },
      meaning: 'occupied',
    },
    {
      protocol: 'ocpp2.0.1',
      profile: ocpp201,
      raw: { connectorStatus: 'Unavailable' },
      meaning: 'unavailable',
    },
    {
      protocol: 'ocpp2.0.1',
      profile: ocpp201,
      raw: { connectorStatus: 'Faulted' },
      meaning: 'faulted',
    },
    { protocol: 'mqtt', profile: sensor, raw: { state: 'offline' }, meaning: 'unavailable' },
    { protocol: 'mqtt', profile: sensor, raw: { state: 1 }, meaning: 'available' },
    { protocol: 'json', profile: meter, raw: { status: 'alarm' }, meaning: 'faulted' },
  ])('$protocol $raw means $meaning, keeping the raw value', ({ profile, raw, meaning }) => {
    const sent = Object.values(raw)[0];
    expect(normaliseReport(profile, raw)).toEqual({
      values: { status: meaning, statusRaw: sent },
      unknown: {},
      issues: [],
    });
  });

  it('accepts a canonical meaning sent as is', () => {
    expect(normaliseReport(wallbox, { status: 'charging' }).values).toEqual({
      status: 'charging',
      statusRaw: 'charging',
    });
  });

  it('reads a value with no meaning as unknown, keeps it raw and flags it', () => {
    expect(normaliseReport(ocpp201, { connectorStatus: 'Charging' })).toEqual({
      values: { status: 'unknown', statusRaw: 'Charging' },
      unknown: {},
      issues: [
        {
          field: 'connectorStatus',
          code: 'profile:state.unknown-value',
          message:
            'status has no meaning for string "Charging" (known: Available, Occupied, Reserved, Unavailable, Faulted)',
        },
      ],
    });
  });
});
