export {
  endSession,
  isLate,
  lateEventFlag,
  missingSeqNos,
  type RecordedStop,
  type SessionEnd,
  type SessionEndDecision,
  type SessionRecordFacts,
  type SessionStart,
} from './end-session';
export { LATE_AFTER_MS, SESSION_FLAGS, UNCOUNTED_FLAGS, type SessionFlag } from './flags';
export { signedValues16, signedValues201, type SignedMeterValue } from './signed-meter-data';
export {
  METER_SIGNATURE_VERDICTS,
  type MeterSignatureCheck,
  type MeterSignatureVerdict,
} from './meter-signature';
export {
  parseMeterPublicKey,
  type MeterPublicKey,
  type MeterPublicKeyParse,
} from './meter-public-key';
export { checkSignedValue } from './ocmf-verification';
export { paginationIssues, type PaginationIssue } from './pagination';
export { signatureSummary, type SignatureSummary } from './signature-summary';
export { ocpiSignedData, type OcpiSignedData, type OcpiSignedValue } from './ocpi-signed-data';
