import type { SignatureMethodId, SignedData } from '@road-labs/ocmf';
import {
  Crypto,
  CurveMismatchError,
  decomposeValue,
  parseSections,
  signatureMethodFromId,
  UnknownSignatureEncoding,
  UnknownSignatureMimeType,
  Verifier,
} from './ocmf-library';
import { bytesOfHex, type MeterPublicKey } from './meter-public-key';
import type { MeterSignatureCheck, MeterSignatureVerdict } from './meter-signature';
import { namesOtherEncoding, ocmfText } from './ocmf-text';
import type { SignedMeterValue } from './signed-meter-data';

// The pure-JavaScript backend (@noble/curves): it checks all seven OCMF curves, brainpool and
// secp192 included, which Node's OpenSSL build does not promise.
const crypto = new Crypto();
const verifier = new Verifier(crypto);

/**
 * Checks one signed meter value against the station's registered meter key (`null`: none is
 * registered) with the OCMF library (@road-labs/ocmf): parsing, the signature algorithm and
 * ECDSA are the library's. Deterministic, no I/O, no clock — but not for workflow code: the
 * gateway checks each value as it arrives.
 *
 * @example await checkSignedValue(value, key) // → { verdict: 'VALID', pagination: 'T12', … }
 */
export async function checkSignedValue(
  value: SignedMeterValue,
  key: MeterPublicKey | null,
): Promise<MeterSignatureCheck> {
  const unread = { signingMethod: null, meterSerial: null, pagination: null };
  const publicKey = key?.hex ?? null;
  if (namesOtherEncoding(value))
    return {
      verdict: 'UNSUPPORTED',
      reason: `encoding ${value.encodingMethod} is not OCMF, the only one checked`,
      ...unread,
      publicKey,
    };
  const text = ocmfText(value);
  if (text === null)
    return {
      verdict: 'UNSUPPORTED',
      reason: 'not an OCMF data set (neither the value nor its Base64 decoding starts "OCMF|")',
      ...unread,
      publicKey,
    };
  let parsed: SignedData;
  try {
    parsed = parseSections(decomposeValue(text));
  } catch (error) {
    return {
      verdict: 'INVALID',
      reason: `malformed OCMF: ${messageOf(error)}`,
      ...unread,
      publicKey,
    };
  }
  const found = fieldsOf(parsed);
  const check = (verdict: MeterSignatureVerdict, reason: string): MeterSignatureCheck => ({
    verdict,
    reason,
    ...found,
    publicKey,
  });
  if (found.signingMethod !== null && !knownMethod(found.signingMethod))
    return check(
      'UNSUPPORTED',
      `signature algorithm ${found.signingMethod} is not one of OCMF's ECDSA algorithms`,
    );
  if (key === null) return check('NO_KEY', 'no meter public key is registered for the station');
  try {
    const ecKey = await crypto.decodeEcPublicKey(bytesOfHex(key.hex), 'spki-der');
    const { verified } = await verifier.parseAndVerify(text, ecKey);
    return verified
      ? check('VALID', `the signature matches the registered ${key.curve} key`)
      : check(
          'INVALID',
          'the signature does not match the registered key: the data was changed or signed by another meter',
        );
  } catch (error) {
    if (error instanceof CurveMismatchError)
      return check(
        'INVALID',
        `signed with ${found.signingMethod ?? "OCMF's default algorithm"}, but the registered key is on ${key.curve}`,
      );
    if (error instanceof UnknownSignatureEncoding || error instanceof UnknownSignatureMimeType)
      return check(
        'UNSUPPORTED',
        `the signature's encoding cannot be checked: ${messageOf(error)}`,
      );
    return check('INVALID', `the signature cannot be read: ${messageOf(error)}`);
  }
}

function fieldsOf(parsed: SignedData) {
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  const payload = (parsed.payloadData ?? {}) as unknown as Record<string, unknown>;
  const signature = (parsed.signature ?? {}) as unknown as Record<string, unknown>;
  return {
    signingMethod: text(signature.SA),
    meterSerial: text(payload.MS),
    pagination: text(payload.PG),
  };
}

function knownMethod(id: string): boolean {
  try {
    signatureMethodFromId(id as SignatureMethodId);
    return true;
  } catch {
    return false;
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
