/**
 * What the check of one signed meter value found, against the meter public key registered for
 * its station (never a key the message carries: a forger would send his own).
 *
 * - `VALID`: the signature matches the registered key.
 * - `INVALID`: it does not (tampered data, another meter's key, a key on another curve), or the
 *   OCMF data set is malformed.
 * - `NO_KEY`: the station has no registered key, so nothing could be checked.
 * - `UNSUPPORTED`: an encoding or signature algorithm the verifier cannot check (not OCMF, a
 *   signature not in hex DER, an algorithm outside OCMF's list).
 */
export const METER_SIGNATURE_VERDICTS = ['VALID', 'INVALID', 'NO_KEY', 'UNSUPPORTED'] as const;
export type MeterSignatureVerdict = (typeof METER_SIGNATURE_VERDICTS)[number];

/** One signed meter value's check, kept beside the value with the session record. */
export interface MeterSignatureCheck {
  verdict: MeterSignatureVerdict;
  /** Why, in words an operator can act on. */
  reason: string;
  /** OCMF `SA` (null when the data set names none: OCMF's default applies). */
  signingMethod: string | null;
  /** OCMF `MS`: the meter's serial number. */
  meterSerial: string | null;
  /** OCMF `PG`: the meter's pagination counter, e.g. `T12` or `F3`. */
  pagination: string | null;
  /** The registered key the value was checked against (hex DER SPKI); null without one. */
  publicKey: string | null;
}
