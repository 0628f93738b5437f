import { describe, expect, it } from 'vitest';
import { OCMF_VECTORS as V, testMeter } from '../../test/support/ocmf-vectors';
import { parseMeterPublicKey, type MeterPublicKey } from './meter-public-key';
import { checkSignedValue } from './ocmf-verification';
import type { SignedMeterValue } from './signed-meter-data';

const keyOf = (hex: string): MeterPublicKey => {
  const parsed = parseMeterPublicKey(hex);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.key;
};
const value16 = (data: string): SignedMeterValue => ({
  at: '2026-03-01T10:00:00.000Z',
  context: 'Transaction.End',
  measurand: null,
  format: 'SignedData',
  data,
  signingMethod: null,
  encodingMethod: null,
  publicKey: null,
});
const value201 = (data: string, encodingMethod = 'OCMF', publicKey: string | null = null) => ({
  ...value16(data),
  format: null,
  encodingMethod,
  publicKey,
});
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('checking a signed meter value against the registered key', () => {
  const cases = [
    {
      name: 'the library vector, secp256r1: valid',
      value: value16(V.secp256r1.valid),
      key: V.secp256r1.key,
      want: { verdict: 'VALID', meterSerial: '1234567', pagination: 'T1' },
    },
    {
      name: 'brainpool256r1: valid',
      value: value16(V.brainpool256r1.valid),
      key: V.brainpool256r1.key,
      want: { verdict: 'VALID', signingMethod: 'ECDSA-brainpool256r1-SHA256' },
    },
    {
      name: 'secp192r1: valid',
      value: value16(V.secp192r1.valid),
      key: V.secp192r1.key,
      want: { verdict: 'VALID' },
    },
    {
      name: 'the library’s tampered payload: invalid',
      value: value16(V.secp256r1.tampered),
      key: V.secp256r1.key,
      want: { verdict: 'INVALID', reason: expect.stringContaining('does not match') },
    },
    {
      name: 'tampered brainpool256r1: invalid',
      value: value16(V.brainpool256r1.tampered),
      key: V.brainpool256r1.key,
      want: { verdict: 'INVALID' },
    },
    {
      name: 'another meter’s key on the same curve: invalid',
      value: value16(V.secp256r1.valid),
      key: V.otherSecp256r1Key,
      want: { verdict: 'INVALID', publicKey: V.otherSecp256r1Key },
    },
    {
      name: 'a key on another curve than the signature’s: invalid, saying so',
      value: value16(V.secp256r1.valid),
      key: V.brainpool256r1.key,
      want: { verdict: 'INVALID', reason: expect.stringContaining('brainpool256r1') },
    },
    {
      name: 'no key registered: NO_KEY, the counter still read',
      value: value16(V.secp256r1.valid),
      key: null,
      want: { verdict: 'NO_KEY', pagination: 'T1', publicKey: null },
    },
    {
      name: '2.0.1 Base64 signedMeterData (OCPP’s own encoding): valid',
      value: value201(base64(V.secp256r1.valid)),
      key: V.secp256r1.key,
      want: { verdict: 'VALID' },
    },
    {
      name: 'the key the message carries is never used',
      value: value201(V.secp256r1.valid, 'OCMF', base64(V.secp256r1.key)),
      key: V.otherSecp256r1Key,
      want: { verdict: 'INVALID' },
    },
    {
      name: 'an empty encodingMethod is read as unnamed: valid',
      value: value201(V.secp256r1.valid, ''),
      key: V.secp256r1.key,
      want: { verdict: 'VALID' },
    },
    {
      name: 'another encoding (EDL): unsupported',
      value: value201('<edl/>', 'EDL'),
      key: V.secp256r1.key,
      want: { verdict: 'UNSUPPORTED', reason: expect.stringContaining('EDL') },
    },
    {
      name: 'not OCMF at all: unsupported',
      value: value16('AP;0;3;ALCV3ABBBISHMA2RYEGAZE3HV5YQBQRQAEHAR2MN;'),
      key: V.secp256r1.key,
      want: { verdict: 'UNSUPPORTED' },
    },
    {
      name: 'OCMF that is not JSON inside: invalid',
      value: value16('OCMF|{"PG":"T1"|{"SD":"00"}'),
      key: V.secp256r1.key,
      want: { verdict: 'INVALID', reason: expect.stringContaining('malformed OCMF') },
    },
    {
      name: 'a signature that is not hex: invalid',
      value: value16('OCMF|{"PG":"T1"}|{"SA":"ECDSA-secp256r1-SHA256","SD":"zz"}'),
      key: V.secp256r1.key,
      want: { verdict: 'INVALID', reason: expect.stringContaining('cannot be read') },
    },
    {
      name: 'a Base64 signature encoding: unsupported',
      value: value16('OCMF|{"PG":"T1"}|{"SA":"ECDSA-secp256r1-SHA256","SE":"base64","SD":"AA=="}'),
      key: V.secp256r1.key,
      want: { verdict: 'UNSUPPORTED' },
    },
    {
      name: 'an algorithm outside OCMF’s list: unsupported',
      value: value16('OCMF|{"PG":"T1"}|{"SA":"RSA-2048-SHA256","SD":"00"}'),
      key: V.secp256r1.key,
      want: { verdict: 'UNSUPPORTED', signingMethod: 'RSA-2048-SHA256' },
    },
  ];
  it.each(cases)('$name', async ({ value, key, want }) => {
    expect(await checkSignedValue(value, key === null ? null : keyOf(key))).toMatchObject(want);
  });

  it('a data set signed by a test meter verifies, and one byte changed does not', async () => {
    const meter = testMeter('TM-1');
    const signed = meter.sign('T7', 12.5);
    const key = keyOf(meter.publicKey);
    expect(await checkSignedValue(value16(signed), key)).toMatchObject({
      verdict: 'VALID',
      pagination: 'T7',
      meterSerial: 'TM-1',
    });
    const changed = signed.replace('12.5', '13.5');
    expect((await checkSignedValue(value16(changed), key)).verdict).toBe('INVALID');
  });
});
