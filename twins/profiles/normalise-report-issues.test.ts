import { describe, expect, it } from 'vitest';
import { deviceProfileSchema } from './device-profile';
import sensorJson from './examples/acme-climate-th1.json';
import wallboxJson from './examples/acme-wallbox-ac22.json';
import { normaliseReport } from './normalise-report';

const sensor = deviceProfileSchema.parse(sensorJson);
const wallbox = deviceProfileSchema.parse(wallboxJson);

describe('normaliseReport: what does not fit is kept and flagged', () => {
  it.each([
    {
      name: 'unknown fields, flat and nested',
      raw: { tempF: 77, build: 'b7', diag: { rssi: -70 } },
      values: { temperature: 25 },
      unknown: { build: 'b7', diag: { rssi: -70 } },
      issues: ['build profile:field.unknown', 'diag profile:field.unknown'],
    },
    {
      name: 'the rest of a nested object whose mapped leaf was read',
      raw: { batt: { mv: 3000, cycles: 12 } },
      values: { batteryV: 3 },
      unknown: { batt: { cycles: 12 } },
      issues: ['batt profile:field.unknown'],
    },
    {
      name: 'a string where a number is declared',
      raw: { tempF: 'hot', rh: 40 },
      values: { humidity: 40 },
      unknown: { tempF: 'hot' },
      issues: ['tempF profile:field.type-mismatch'],
    },
    {
      name: 'a number where a boolean is declared',
      raw: { tamper: 1 },
      values: {},
      unknown: { tamper: 1 },
      issues: ['tamper profile:field.type-mismatch'],
    },
    {
      name: 'an object where a state is declared',
      raw: { state: { code: 1 } },
      values: {},
      unknown: { state: { code: 1 } },
      issues: ['state profile:field.type-mismatch'],
    },
    {
      name: 'a value above max, converted and kept',
      raw: { tempF: 300 },
      values: { temperature: 148.888888889 },
      unknown: {},
      issues: ['tempF profile:field.out-of-range'],
    },
    {
      name: 'a value below min',
      raw: { rh: -5 },
      values: { humidity: -5 },
      unknown: {},
      issues: ['rh profile:field.out-of-range'],
    },
    {
      name: 'a vendor field and its canonical name in one report',
      raw: { temperature: 30, tempF: 77 },
      values: { temperature: 25 },
      unknown: { temperature: 30 },
      issues: ['temperature profile:field.duplicate'],
    },
    {
      name: 'null, which deletes keys, for a number and a state',
      raw: { tempF: null, state: null },
      values: { temperature: null, status: null, statusRaw: null },
      unknown: {},
      issues: [],
    },
    {
      name: 'a __proto__ key, kept as an ordinary key',
      raw: JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>,
      values: {},
      unknown: JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>,
      issues: ['__proto__ profile:field.unknown'],
    },
  ])('$name', ({ raw, values, unknown, issues }) => {
    const out = normaliseReport(sensor, raw);
    expect(out.values).toEqual(values);
    expect(out.unknown).toEqual(unknown);
    expect(Object.keys(out.unknown)).toEqual(Object.keys(unknown));
    expect(out.issues.map((i) => `${i.field} ${i.code}`)).toEqual(issues);
  });

  it.each([
    {
      raw: { tempF: 'hot' },
      message: 'temperature expects a value of type number, got string "hot"',
    },
    {
      raw: { tempF: 300 },
      message: 'temperature 148.888888889 °C is above max 125 °C',
    },
    {
      raw: { rh: -5 },
      message: 'humidity -5 % is below min 0 %',
    },
    {
      raw: { door: 'open' },
      message: 'door is neither a field of acme-climate-th1 nor mapped to one; kept aside',
    },
  ])('explains $raw as "$message"', ({ raw, message }) => {
    expect(normaliseReport(sensor, raw).issues.map((i) => i.message)).toEqual([message]);
  });

  it('keeps an unknown enum value raw and flags it', () => {
    expect(normaliseReport(wallbox, { errorCode: 'Banana', status: 'Faulted' })).toEqual({
      values: { status: 'faulted', statusRaw: 'Faulted' },
      unknown: { errorCode: 'Banana' },
      issues: [
        {
          field: 'errorCode',
          code: 'profile:state.unknown-value',
          message: expect.stringContaining('errorCode has no meaning for string "Banana"'),
        },
      ],
    });
  });

  it('passes a report of an unknown model through unchanged, flagged once', () => {
    const raw = { tempF: 77, status: 'Faulted', meter: { energy: 1 } };
    expect(normaliseReport(null, raw)).toEqual({
      values: { tempF: 77, status: 'Faulted', meter: { energy: 1 } },
      unknown: {},
      issues: [
        {
          field: '*',
          code: 'profile:model.unknown',
          message: 'no profile for this device model: the report is passed through unchanged',
        },
      ],
    });
  });

  it('leaves the report it was given untouched', () => {
    const raw = { tempF: 77, batt: { mv: 3000, cycles: 12 } };
    normaliseReport(sensor, raw);
    expect(raw).toEqual({ tempF: 77, batt: { mv: 3000, cycles: 12 } });
  });
});
