import { describe, expect, it } from 'vitest';
import { applyQuirks, quirkRuleSchema, type QuirkRule } from './quirks';

const rule = (r: Partial<QuirkRule> & Pick<QuirkRule, 'path' | 'fix'>): QuirkRule =>
  quirkRuleSchema.parse({ id: 'r', description: 'test rule', ...r });

describe('quirk rules', () => {
  it.each([
    {
      name: 'numbers sent where strings are due become strings',
      rule: rule({ path: 'connectorId', fix: { kind: 'to-string' } }),
      payload: { connectorId: 1 },
      want: { connectorId: '1' },
    },
    {
      name: 'numeric strings become numbers',
      rule: rule({ path: 'meterStart', fix: { kind: 'to-number' } }),
      payload: { meterStart: '1200' },
      want: { meterStart: 1200 },
    },
    {
      name: 'an over-long serial number is truncated',
      rule: rule({ path: 'chargePointSerialNumber', fix: { kind: 'truncate', maxLength: 25 } }),
      payload: { chargePointSerialNumber: 'S'.repeat(40) },
      want: { chargePointSerialNumber: 'S'.repeat(25) },
    },
    {
      name: 'every element of nested arrays is reached with *',
      rule: rule({ path: 'meterValue.*.sampledValue.*.value', fix: { kind: 'to-string' } }),
      payload: {
        meterValue: [
          { sampledValue: [{ value: 1 }, { value: '2' }] },
          { sampledValue: [{ value: 3.5 }] },
        ],
      },
      want: {
        meterValue: [
          { sampledValue: [{ value: '1' }, { value: '2' }] },
          { sampledValue: [{ value: '3.5' }] },
        ],
      },
    },
    {
      name: 'a misspelt property is renamed',
      rule: rule({ path: 'firmwareVersoin', fix: { kind: 'rename', to: 'firmwareVersion' } }),
      payload: { firmwareVersoin: '1.2' },
      want: { firmwareVersion: '1.2' },
    },
    {
      name: 'a missing required property gets its default',
      rule: rule({ path: 'errorCode', fix: { kind: 'default', value: 'NoError' } }),
      payload: { status: 'Available' },
      want: { status: 'Available', errorCode: 'NoError' },
    },
    {
      name: 'a property the schema forbids is dropped',
      rule: rule({ path: 'vendorExtra', fix: { kind: 'drop' } }),
      payload: { status: 'Available', vendorExtra: 1 },
      want: { status: 'Available' },
    },
  ])('$name', ({ rule: r, payload, want }) => {
    const out = applyQuirks([r], 'AnyAction', payload);
    expect(out.payload).toEqual(want);
    expect(out.applied).toEqual(['r']);
    expect(payload).not.toEqual(want); // the input is not changed
  });

  it.each([
    {
      name: 'a compliant value',
      rule: rule({ path: 'connectorId', fix: { kind: 'to-string' } }),
      payload: { connectorId: '1' },
    },
    {
      name: 'a short serial',
      rule: rule({ path: 's', fix: { kind: 'truncate', maxLength: 5 } }),
      payload: { s: 'abc' },
    },
    {
      name: 'another action',
      rule: rule({ action: 'Heartbeat', path: 'x', fix: { kind: 'drop' } }),
      payload: { x: 1 },
    },
    {
      name: 'a non-numeric string',
      rule: rule({ path: 'v', fix: { kind: 'to-number' } }),
      payload: { v: 'abc' },
    },
  ])('leaves $name alone and counts nothing', ({ rule: r, payload }) => {
    const out = applyQuirks([r], 'BootNotification', payload);
    expect(out.payload).toEqual(payload);
    expect(out.applied).toEqual([]);
  });

  it.each([
    [{ id: 'Bad Id', description: 'x', path: 'a', fix: { kind: 'drop' } }],
    [{ id: 'ok', description: 'x', path: 'a..b', fix: { kind: 'drop' } }],
    [{ id: 'ok', description: 'x', path: 'a', fix: { kind: 'explode' } }],
    [{ id: 'ok', description: 'x', path: 'a', fix: { kind: 'truncate', maxLength: 0 } }],
  ])('refuses an invalid rule %j', (bad) => {
    expect(quirkRuleSchema.safeParse(bad).success).toBe(false);
  });
});
