import { describe, expect, it } from 'vitest';
import { deviceProfileSchema } from './device-profile';
import sensorJson from './examples/acme-climate-th1.json';
import meterJson from './examples/acme-meter-em3.json';
import wallboxJson from './examples/acme-wallbox-ac22.json';
import { normaliseReport } from './normalise-report';

const wallbox = deviceProfileSchema.parse(wallboxJson);
const sensor = deviceProfileSchema.parse(sensorJson);
const meter = deviceProfileSchema.parse(meterJson);

describe('normaliseReport: names and units', () => {
  it.each([
    { name: '°F to °C', profile: sensor, raw: { tempF: 77 }, values: { temperature: 25 } },
    {
      name: 'a rename without unit',
      profile: sensor,
      raw: { rh: 40.5 },
      values: { humidity: 40.5 },
    },
    {
      name: 'a nested mV path',
      profile: sensor,
      raw: { batt: { mv: 3012 } },
      values: { batteryV: 3.012 },
    },
    {
      name: 'Wh to kWh',
      profile: meter,
      raw: { energy_Wh: 123_456_789 },
      values: { energyKWh: 123_456.789 },
    },
    { name: 'W to kW', profile: meter, raw: { power: 7400 }, values: { powerKW: 7.4 } },
    { name: 'mA to A', profile: meter, raw: { current_mA: 15_870 }, values: { currentA: 15.87 } },
    {
      name: 'nested varh to kvarh',
      profile: meter,
      raw: { meter: { reactive_varh: 2500 } },
      values: { reactiveEnergyKvarh: 2.5 },
    },
    {
      name: 'a flattened dot key',
      profile: meter,
      raw: { 'grid.voltage': 231.4 },
      values: { voltageV: 231.4 },
    },
    {
      name: 'two paths under one object',
      profile: meter,
      raw: { grid: { voltage: 229, frequency: 50.02 } },
      values: { voltageV: 229, frequency: 50.02 },
    },
    {
      name: 'an OCPP measurand in Wh',
      profile: wallbox,
      raw: { 'Energy.Active.Import.Register': 15_000.5 },
      values: { energyKWh: 15.0005 },
    },
    {
      name: 'OCPP unit aliases',
      profile: wallbox,
      raw: { Temperature: 41.5, SoC: 80 },
      values: { temperature: 41.5, soc: 80 },
    },
    {
      name: 'canonical names as sent',
      profile: sensor,
      raw: { temperature: 21.123456789, tamper: false },
      values: { temperature: 21.123456789, tamper: false },
    },
    {
      name: 'a canonical string field',
      profile: meter,
      raw: { serial: 'EM3-0042' },
      values: { serial: 'EM3-0042' },
    },
  ])('$name', ({ profile, raw, values }) => {
    expect(normaliseReport(profile, raw)).toEqual({ values, unknown: {}, issues: [] });
  });
});
