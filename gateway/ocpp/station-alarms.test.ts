import { describe, expect, it } from 'vitest';
import type { LoadedRule } from '../../db/alarm-evaluation';
import { alarmRuleSchema } from '../../twins/alarms/rule';
import { parseDeviceProfile, type DeviceProfile } from '../../twins/profiles';
import { monitorOf } from './station-alarms';

const profile = parseDeviceProfile({
  model: 'acme-dc',
  vendor: 'Acme',
  fields: {
    temperature: { kind: 'telemetry', type: 'number', unit: '°C' },
    voltageV: { kind: 'telemetry', type: 'number', unit: 'V' },
    powerKW: { kind: 'telemetry', type: 'number', unit: 'kW' },
  },
  ocpp: {
    monitoring: true,
    variables: {
      temperature: { component: 'EVSE', evse: 2, connector: 1, variable: 'Temperature' },
      voltageV: {
        component: 'ACDCConverter',
        componentInstance: 'main',
        variable: 'DCVoltage',
        variableInstance: 'Actual',
      },
    },
  },
}) as DeviceProfile;

const loaded = (condition: Record<string, unknown>, severity = 'major'): LoadedRule => ({
  ruleId: 'r',
  version: 1,
  rule: alarmRuleSchema.parse({
    name: 'r',
    alarmType: 'T',
    scope: { deviceProfile: 'acme-dc' },
    severity,
    condition,
  }),
  fields: new Set(),
});

describe('monitorOf: a threshold rule as a station monitor', () => {
  it('above becomes an UpperThreshold on the mapped component/variable, with OCPP severity', () => {
    expect(monitorOf(loaded({ field: 'temperature', above: 80, clearBelow: 75 }), profile)).toEqual(
      {
        type: 'UpperThreshold',
        value: 80,
        severity: 4,
        component: { name: 'EVSE', evse: { id: 2, connectorId: 1 } },
        variable: { name: 'Temperature' },
      },
    );
  });

  it('below becomes a LowerThreshold; instances are named; critical is 3, warning 6', () => {
    expect(monitorOf(loaded({ field: 'voltageV', below: 180 }, 'critical'), profile)).toEqual({
      type: 'LowerThreshold',
      value: 180,
      severity: 3,
      component: { name: 'ACDCConverter', instance: 'main' },
      variable: { name: 'DCVoltage', instance: 'Actual' },
    });
    expect(monitorOf(loaded({ field: 'voltageV', below: 180 }, 'warning'), profile)?.severity).toBe(
      6,
    );
  });

  it.each([
    ['a field without a station variable', { field: 'powerKW', above: 20 }],
    ['a range', { field: 'temperature', outside: [0, 80] }],
    ['a combination', { all: [{ field: 'temperature', above: 80 }] }],
    ['silence', { noDataFor: 60 }],
  ])('%s stays with the gateway (null)', (_, condition) => {
    expect(monitorOf(loaded(condition), profile)).toBeNull();
  });
});
