import { decomposeValue } from './ocmf-library';
import { bytesOfHex } from './meter-public-key';
import { base64OfBytes, base64OfUtf8, namesOtherEncoding, ocmfText } from './ocmf-text';
import type { SignedMeterValue } from './signed-meter-data';

/** OCPI 2.2.1 `SignedValue` (module CDRs): one signed value of a session. */
export interface OcpiSignedValue {
  /** `Start`, `End` or `Intermediate`. */
  nature: 'Start' | 'End' | 'Intermediate';
  /** The un-encoded data: the OCMF payload section the signature covers. */
  plain_data: string;
  /** The whole OCMF data set, Base64 encoded. */
  signed_data: string;
}

/** OCPI 2.2.1 `SignedData` (module CDRs): a CDR's `signed_data`. */
export interface OcpiSignedData {
  encoding_method: 'OCMF';
  /** The meter key registered for the station, Base64 of its DER; left out when none was. */
  public_key?: string;
  signed_values: OcpiSignedValue[];
}

const NATURE: Record<string, OcpiSignedValue['nature']> = {
  'Transaction.Begin': 'Start',
  'Transaction.End': 'End',
};

/**
 * A session record's OCMF values in the shape of an OCPI 2.2.1 CDR's `signed_data`, or null
 * when it has none (the field is optional in a CDR). The nature follows the OCPP context
 * (`Transaction.Begin` → Start, `Transaction.End` → End, anything else Intermediate); the
 * public key is the registered one the values were checked against (the End value's, when
 * a key was rotated mid-session), never one the station sent. `signed_data` is the exact
 * OCMF string as received: a value that came Base64 encoded stays as it came.
 *
 * @example ocpiSignedData(record.signedMeterData)
 *   // → { encoding_method: 'OCMF', public_key: 'MFkw…', signed_values: [{ nature: 'Start', … }] }
 */
export function ocpiSignedData(values: readonly SignedMeterValue[]): OcpiSignedData | null {
  const ocmf = values.flatMap((value) => {
    const text = namesOtherEncoding(value) ? null : ocmfText(value);
    return text === null ? [] : [{ value, text }];
  });
  if (ocmf.length === 0) return null;
  const signed_values = ocmf.map(({ value, text }) => ({
    nature: NATURE[value.context ?? ''] ?? 'Intermediate',
    plain_data: payloadOf(text),
    signed_data: value.data === text ? base64OfUtf8(text) : value.data,
  }));
  const keyed = ocmf.filter(({ value }) => value.verification?.publicKey);
  const key = (keyed.find(({ value }) => value.context === 'Transaction.End') ?? keyed.at(-1))
    ?.value.verification?.publicKey;
  return {
    encoding_method: 'OCMF',
    ...(key ? { public_key: base64OfBytes(bytesOfHex(key)) } : {}),
    signed_values,
  };
}

function payloadOf(text: string): string {
  try {
    return decomposeValue(text).payloadData;
  } catch {
    // A malformed data set is still passed on whole in signed_data (its check said INVALID).
    return '';
  }
}
