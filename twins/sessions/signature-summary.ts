import { SESSION_FLAGS, type SessionFlag } from './flags';
import type { MeterSignatureVerdict } from './meter-signature';
import { paginationIssues } from './pagination';
import type { SignedMeterValue } from './signed-meter-data';

/** What a session's signed meter values say as a whole, for its record. */
export interface SignatureSummary {
  /** The worst of the values' verdicts; null when no value was checked. */
  verdict: MeterSignatureVerdict | null;
  /** `session:signature.invalid`, `session:pagination.gap`, `session:pagination.repeat`. */
  flags: SessionFlag[];
}

/** Worst first: one invalid value makes the session's data doubtful, whatever the others say. */
const ORDER: readonly MeterSignatureVerdict[] = ['INVALID', 'NO_KEY', 'UNSUPPORTED', 'VALID'];

/**
 * A session's verdict and flags from its checked signed meter values.
 *
 * @example signatureSummary([valid, invalid]) // → { verdict: 'INVALID', flags: ['session:signature.invalid'] }
 */
export function signatureSummary(values: readonly SignedMeterValue[]): SignatureSummary {
  const verdicts = new Set(values.flatMap((v) => (v.verification ? [v.verification.verdict] : [])));
  const verdict = ORDER.find((v) => verdicts.has(v)) ?? null;
  const flags: SessionFlag[] = [];
  if (verdict === 'INVALID') flags.push(SESSION_FLAGS.signatureInvalid);
  const issues = paginationIssues(values);
  if (issues.some((i) => i.missing.length > 0)) flags.push(SESSION_FLAGS.paginationGap);
  if (issues.some((i) => i.repeated.length > 0)) flags.push(SESSION_FLAGS.paginationRepeat);
  return { verdict, flags };
}
