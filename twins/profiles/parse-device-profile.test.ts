import { describe, expect, it } from 'vitest';
import { isRejection } from '../errors';
import { parseDeviceProfile } from './parse-device-profile';

/** A valid profile document; each case changes one part of it. */
const aProfile = (update: Record<string, unknown> = {}) => ({
  model: 'acme-sensor',
  vendor: 'Acme',
  fields: {
    temperature: { kind: 'telemetry', type: 'number', unit: '°C' },
    energyKWh: { kind: 'telemetry', type: 'number', unit: 'kWh' },
    label: { kind: 'state', type: 'string' },
    status: { kind: 'state', type: 'enum' },
  },
  mapping: { tempF: { field: 'temperature', unit: '°F' } },
  states: { status: { Faulted: 'faulted' } },
  ...update,
});
const fields = (extra: Record<string, unknown>) => ({ ...aProfile().fields, ...extra });

describe('parseDeviceProfile', () => {
  it('accepts a valid document and fills the optional lists', () => {
    const profile = parseDeviceProfile(aProfile());
    expect(isRejection(profile)).toBe(false);
    expect(profile).toMatchObject({
      model: 'acme-sensor',
      firmware: [],
      hardwareRevisions: [],
      mapping: { tempF: { field: 'temperature', unit: '°F' } },
      twin: { fields: [], thresholds: [] },
    });
    const hearing = parseDeviceProfile(
      aProfile({ twin: { fields: ['status'], thresholds: [{ field: 'temperature', above: 80 }] } }),
    );
    expect(hearing).toMatchObject({ twin: { fields: ['status'] } });
  });

  it.each([
    {
      name: 'a twin field that is not declared',
      doc: aProfile({ twin: { fields: ['fault'] } }),
      says: "twin field 'fault' is not a declared field (declared: temperature, energyKWh, label, status)",
      at: 'twin.fields[0]',
    },
    {
      name: 'a threshold on a field that is not a number',
      doc: aProfile({ twin: { thresholds: [{ field: 'label', above: 3 }] } }),
      says: "threshold field 'label' must be a declared number field (declared: temperature, energyKWh, label, status)",
      at: 'twin.thresholds[0].field',
    },
    {
      name: 'an OCPP variable for a field that is not a number',
      doc: aProfile({ ocpp: { variables: { label: { component: 'EVSE', variable: 'Label' } } } }),
      says: "ocpp variable 'label' must be a declared number field (declared: temperature, energyKWh, label, status)",
      at: 'ocpp.variables.label',
    },
    {
      name: 'NoError as an alarm',
      doc: aProfile({
        alarms: { errorCodes: { NoError: { alarmType: 'Fine', severity: 'minor' } } },
      }),
      says: 'NoError is no error: it clears the connector, it cannot be an alarm',
      at: 'alarms.errorCodes',
    },
    {
      name: 'an event alarm with an unknown severity',
      doc: aProfile({
        alarms: {
          events: [{ component: 'EVSE', variable: 'Problem', alarmType: 'X', severity: 'bad' }],
        },
      }),
      says: 'Invalid option',
      at: 'alarms.events[0].severity',
    },
    {
      name: 'a mapping to an undeclared field',
      doc: aProfile({ mapping: { tempF: { field: 'temp' } } }),
      says: "mapping 'tempF' targets 'temp', which is not a declared field (declared: temperature, energyKWh, label, status)",
      at: 'mapping.tempF.field',
    },
    {
      name: 'a conversion between incompatible units',
      doc: aProfile({ mapping: { power: { field: 'energyKWh', unit: 'W' } } }),
      says: "mapping 'power' is in W (power), which cannot convert to kWh (energy) of field 'energyKWh'",
      at: 'mapping.power.unit',
    },
    {
      name: 'an unknown unit in a mapping',
      doc: aProfile({ mapping: { tempF: { field: 'temperature', unit: 'degF' } } }),
      says: "unknown unit 'degF'; known units: °C, Celsius, K, °F",
      at: 'mapping.tempF.unit',
    },
    {
      name: 'an unknown unit in a field',
      doc: aProfile({
        fields: fields({ speed: { kind: 'telemetry', type: 'number', unit: 'mph' } }),
      }),
      says: "unknown unit 'mph'",
      at: 'fields.speed.unit',
    },
    {
      name: 'a vendor unit for a field without one',
      doc: aProfile({ mapping: { name: { field: 'label', unit: 'V' } } }),
      says: "mapping 'name' is in V, but field 'label' declares no unit to convert to",
      at: 'mapping.name.unit',
    },
    {
      name: 'a unit on a string field',
      doc: aProfile({ fields: fields({ note: { kind: 'state', type: 'string', unit: 'V' } }) }),
      says: 'unit applies to number fields only',
      at: 'fields.note.unit',
    },
    {
      name: 'min above max',
      doc: aProfile({
        fields: fields({ soc: { kind: 'telemetry', type: 'number', min: 100, max: 0 } }),
      }),
      says: 'min 100 is greater than max 0',
      at: 'fields.soc.min',
    },
    {
      name: 'an enum without values',
      doc: aProfile({ fields: fields({ mode: { kind: 'state', type: 'enum' } }) }),
      says: "enum field 'mode' needs values (or a states entry)",
      at: 'fields.mode.values',
    },
    {
      name: 'states for an undeclared field',
      doc: aProfile({ states: { door: { open: 'occupied' } } }),
      says: "states 'door' is not a declared field",
      at: 'states.door',
    },
    {
      name: 'states for a telemetry field',
      doc: aProfile({ states: { temperature: { hot: 'faulted' } } }),
      says: "field 'temperature' has states, so it must be declared with kind 'state' and type 'enum'",
      at: 'states.temperature',
    },
    {
      name: 'a meaning outside the canonical states',
      doc: aProfile({ states: { status: { Faulted: 'broken' } } }),
      says: 'Invalid option: expected one of "available"|"occupied"|"charging"|"faulted"|"unavailable"|"reserved"|"unknown"',
      at: 'states.status.Faulted',
    },
    {
      name: 'a field that collides with the raw state value',
      doc: aProfile({ fields: fields({ statusRaw: { kind: 'state', type: 'string' } }) }),
      says: "field 'statusRaw' collides with the raw value kept for state 'status'",
      at: 'fields.statusRaw',
    },
    {
      name: 'a misspelt key',
      doc: aProfile({ mappings: {} }),
      says: 'Unrecognized key: "mappings"',
      at: '',
    },
    {
      name: 'a model id that is not a slug',
      doc: aProfile({ model: 'Acme Sensor 2000' }),
      says: 'a model id is a slug such as acme-wallbox-22',
      at: 'model',
    },
    {
      name: 'an unknown protocol',
      doc: aProfile({ protocol: 'modbus' }),
      says: 'Invalid option: expected one of "ocpp1.6"|"ocpp2.0.1"|"mqtt"|"json"',
      at: 'protocol',
    },
  ])('refuses $name with a readable message', ({ doc, says, at }) => {
    const out = parseDeviceProfile(doc);
    if (!isRejection(out)) throw new Error('expected a rejection');
    expect(out.code).toBe('profile:invalid');
    expect(out.message).toContain(says);
    if (at !== '') expect(out.message).toContain(`→ at ${at}`);
  });

  it('lists every problem, one per line', () => {
    const out = parseDeviceProfile(aProfile({ vendor: '', mapping: { x: { field: 'nope' } } }));
    if (!isRejection(out)) throw new Error('expected a rejection');
    expect(out.message.split('\n').filter((line) => line.startsWith('✖'))).toHaveLength(2);
  });

  it.each([null, 'acme', 42, []])('refuses %j, which is not a profile document', (doc) => {
    expect(parseDeviceProfile(doc)).toMatchObject({ rejected: true, code: 'profile:invalid' });
  });
});
