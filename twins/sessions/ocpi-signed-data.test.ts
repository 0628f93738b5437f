import { describe, expect, it } from 'vitest';
import { OCMF_VECTORS as V } from '../../test/support/ocmf-vectors';
import { ocpiSignedData } from './ocpi-signed-data';
import type { SignedMeterValue } from './signed-meter-data';

const value = (
  data: string,
  context: string | null,
  publicKey: string | null,
  encodingMethod: string | null = null,
): SignedMeterValue => ({
  at: '2026-03-01T10:00:00.000Z',
  context,
  measurand: null,
  format: encodingMethod ? null : 'SignedData',
  data,
  signingMethod: null,
  encodingMethod,
  publicKey: null,
  verification: {
    verdict: publicKey ? 'VALID' : 'NO_KEY',
    reason: '',
    signingMethod: null,
    meterSerial: null,
    pagination: null,
    publicKey,
  },
});
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const payload = (ocmf: string) => ocmf.split('|')[1];

describe('the OCPI 2.2.1 signed_data of a session', () => {
  it('maps the contexts to Start, Intermediate and End, with the registered key in Base64', () => {
    const begin = V.secp256r1.valid;
    const end = V.secp256r1.tampered;
    const got = ocpiSignedData([
      value(begin, 'Transaction.Begin', V.secp256r1.key),
      value(b64(begin), 'Sample.Periodic', V.secp256r1.key, 'OCMF'),
      value(end, 'Transaction.End', V.secp256r1.key),
    ]);
    expect(got).toEqual({
      encoding_method: 'OCMF',
      public_key: Buffer.from(V.secp256r1.key, 'hex').toString('base64'),
      signed_values: [
        { nature: 'Start', plain_data: payload(begin), signed_data: b64(begin) },
        // A value that came Base64 encoded is passed on exactly as it came.
        { nature: 'Intermediate', plain_data: payload(begin), signed_data: b64(begin) },
        { nature: 'End', plain_data: payload(end), signed_data: b64(end) },
      ],
    });
    // signed_data decodes to the very bytes the station sent.
    expect(Buffer.from(got!.signed_values[2]!.signed_data, 'base64').toString('utf8')).toBe(end);
  });

  it('takes the End value’s key when the key was rotated during the session', () => {
    const got = ocpiSignedData([
      value(V.secp256r1.valid, 'Transaction.Begin', V.otherSecp256r1Key),
      value(V.secp256r1.valid, 'Transaction.End', V.secp256r1.key),
      value(V.secp256r1.valid, 'Sample.Periodic', V.otherSecp256r1Key),
    ]);
    expect(got?.public_key).toBe(Buffer.from(V.secp256r1.key, 'hex').toString('base64'));
  });

  it('leaves the key out when none was registered, other encodings out, and is null without OCMF', () => {
    const got = ocpiSignedData([
      value('<edl/>', 'Transaction.Begin', null, 'EDL'),
      value(V.secp256r1.valid, null, null),
    ]);
    expect(got).toEqual({
      encoding_method: 'OCMF',
      signed_values: [
        {
          nature: 'Intermediate',
          plain_data: payload(V.secp256r1.valid),
          signed_data: b64(V.secp256r1.valid),
        },
      ],
    });
    expect(ocpiSignedData([value('<edl/>', null, null, 'EDL')])).toBeNull();
    expect(ocpiSignedData([])).toBeNull();
  });
});
