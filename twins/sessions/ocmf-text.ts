import type { SignedMeterValue } from './signed-meter-data';

const OCMF_PREFIX = 'OCMF|';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The OCMF data set a signed meter value carries, or null when it carries none. OCPP 2.0.1
 * (and the OCA's application note on signed meter values) sends `signedMeterData` Base64
 * encoded; 1.6 `SignedData` and many 2.0.1 stations send the OCMF string itself. Both are
 * read; the value as received is never changed.
 *
 * @example ocmfText({ data: 'T0NNRnx7…', encodingMethod: 'OCMF', … }) // → 'OCMF|{…}|{…}'
 */
export function ocmfText(value: Pick<SignedMeterValue, 'data'>): string | null {
  if (value.data.startsWith(OCMF_PREFIX)) return value.data;
  const decoded = utf8OfBase64(value.data);
  return decoded?.startsWith(OCMF_PREFIX) ? decoded : null;
}

/** Whether the value names an encoding other than OCMF (1.6 names none; some send ''). */
export const namesOtherEncoding = ({ encodingMethod }: Pick<SignedMeterValue, 'encodingMethod'>) =>
  encodingMethod !== null && encodingMethod !== '' && encodingMethod.toUpperCase() !== 'OCMF';

function utf8OfBase64(text: string): string | null {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return null;
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** Base64 of a string's UTF-8 bytes (OCPI carries signed data and keys so). */
export function base64OfUtf8(text: string): string {
  return base64OfBytes(new TextEncoder().encode(text));
}

export function base64OfBytes(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
