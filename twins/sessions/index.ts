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
