/**
 * What can be wrong with a charging session record, as stable codes (compared by code, shown
 * to operators, exported). Field firmware replays and duplicates transaction messages after
 * outages (EVerest/libocpp#495 and #907, MicroOcpp#454), so these are expected, not rare.
 */
export const SESSION_FLAGS = {
  /** A Stop (1.6) or Ended event (2.0.1) for a session that already has its record. */
  stopDuplicate: 'session:stop.duplicate',
  /** Like a duplicate, but with another stop time or meter value than the recorded one. */
  stopConflict: 'session:stop.conflict',
  /** A Stop or Ended event for a transaction whose start never arrived. */
  stopWithoutStart: 'session:stop.without-start',
  /** 1.6 StopTransaction with a transactionId below 0 (-1: started offline, never reconciled). */
  transactionIdInvalid: 'session:transaction-id.invalid',
  /** 2.0.1 seqNos missing between the first and the last event of the transaction. */
  seqGap: 'session:seq.gap',
  /** A 2.0.1 event (not an Ended) arriving after the session was recorded. */
  eventAfterEnd: 'session:event.after-end',
  /** The stop meter value is below the start's: no energy is derived. */
  meterNegative: 'session:meter.negative',
  /** The start or stop meter value is unknown: no energy is derived. */
  meterMissing: 'session:meter.missing',
  /** A signed meter value whose signature does not match the station's registered meter key. */
  signatureInvalid: 'session:signature.invalid',
  /** A meter's OCMF pagination counter skipped numbers within the session. */
  paginationGap: 'session:pagination.gap',
  /** A meter's OCMF pagination counter numbered two different data sets alike. */
  paginationRepeat: 'session:pagination.repeat',
} as const;

export type SessionFlag = (typeof SESSION_FLAGS)[keyof typeof SESSION_FLAGS];

/** A record carrying any of these never adds to energy totals (`counted: false`). */
export const UNCOUNTED_FLAGS: ReadonlySet<SessionFlag> = new Set([
  SESSION_FLAGS.transactionIdInvalid,
  SESSION_FLAGS.stopWithoutStart,
  SESSION_FLAGS.meterNegative,
  SESSION_FLAGS.meterMissing,
]);

/**
 * A message this long after its own timestamp was replayed from the station's offline queue
 * (1.6 has no `offline` field; 2.0.1 says it, but late messages are marked either way).
 */
export const LATE_AFTER_MS = 5 * 60_000;
