import type { SignatureMethodId } from '@road-labs/ocmf';
import type { Curve } from '@road-labs/ocmf-crypto';
import {
  decodePkixSubjectPublicKeyInfo,
  oidEllipticCurveKey,
  oidToCurve,
  resolveCurveFn,
  signatureMethodFromId,
} from './ocmf-library';

/** A meter's public key as registered for its station at commissioning. */
export interface MeterPublicKey {
  /** Hex-encoded DER SubjectPublicKeyInfo, upper case, as meters print it. */
  hex: string;
  /** The key's curve (`secp256r1`, `brainpool256r1`, …). */
  curve: Curve;
  /** The OCMF signature algorithm a key on this curve signs with. */
  signingMethod: SignatureMethodId;
}

export type MeterPublicKeyParse = { ok: true; key: MeterPublicKey } | { ok: false; reason: string };

/** Hex as meters print it: pairs of digits, maybe separated by spaces or colons. */
const SEPARATORS = /[\s:]/g;
const HEX = /^(?:[0-9A-F]{2})+$/;

/**
 * Reads a meter public key as OCMF publishes it: hex-encoded DER SubjectPublicKeyInfo of an
 * EC key on one of the curves OCMF signs with (secp192r1/k1, secp256r1/k1, secp384r1,
 * brainpool256r1/384r1). The point must lie on the curve. Decoding and the curve table are
 * the OCMF library's (@road-labs/ocmf-crypto), the point check is @noble/curves'.
 *
 * @example parseMeterPublicKey('3059301306072A8648CE3D0201…') // → { ok: true, key: { curve: 'secp256r1', … } }
 */
export function parseMeterPublicKey(text: string): MeterPublicKeyParse {
  const hex = text.replace(SEPARATORS, '').toUpperCase();
  if (!HEX.test(hex))
    return {
      ok: false,
      reason: 'a meter public key is hex-encoded DER (SubjectPublicKeyInfo), e.g. 3059301306…',
    };
  let info: ReturnType<typeof decodePkixSubjectPublicKeyInfo>;
  try {
    info = decodePkixSubjectPublicKeyInfo(bytesOfHex(hex));
  } catch {
    return { ok: false, reason: 'the key is not an EC key in DER SubjectPublicKeyInfo' };
  }
  if (info.algorithm.algorithm !== oidEllipticCurveKey)
    return {
      ok: false,
      reason: `the key is not an EC key (algorithm ${info.algorithm.algorithm})`,
    };
  const oid = info.algorithm.parameters?.namedCurve;
  const curve = oid === undefined ? undefined : oidToCurve.get(oid);
  if (!curve)
    return {
      ok: false,
      reason: `the key's curve (${oid ?? 'none named'}) is not one OCMF signs with`,
    };
  if (!resolveCurveFn(curve).utils.isValidPublicKey(info.subjectPublicKey))
    return { ok: false, reason: `the key is not a point on ${curve}` };
  const signingMethod = `ECDSA-${curve}-SHA256` as SignatureMethodId;
  try {
    // The library's own table of OCMF's algorithms decides (it throws for one it does not know).
    signatureMethodFromId(signingMethod);
  } catch {
    return { ok: false, reason: `no OCMF signature algorithm uses ${curve}` };
  }
  return { ok: true, key: { hex, curve, signingMethod } };
}

/** The bytes of an even-length hex string (checked by the caller). */
export function bytesOfHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
