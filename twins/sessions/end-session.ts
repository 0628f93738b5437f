import { convertUnit } from '../profiles/convert-unit';
import { LATE_AFTER_MS, SESSION_FLAGS, UNCOUNTED_FLAGS, type SessionFlag } from './flags';

/** What the gateway knows of a session's start when it ends; null when no start arrived. */
export interface SessionStart {
  startedAt: string | null;
  meterStartWh: number | null;
  idTag: string | null;
  evseId: number | null;
  connectorId: number | null;
}

/** A Stop (1.6) or Ended event (2.0.1), with what the store knows around it. */
export interface SessionEnd {
  protocol: 'ocpp1.6' | 'ocpp2.0.1';
  transactionId: string;
  stoppedAt: string;
  meterStopWh: number | null;
  stopReason: string | null;
  /** 1.6 StopTransaction may name the id tag; the start's wins. */
  idTag: string | null;
  /** When the gateway received the message (its clock, an input). */
  receivedAt: string;
  /** 2.0.1: some event of the transaction said `offline: true`. */
  saidOffline: boolean;
  /** 2.0.1: seqNos of the transaction that never arrived. */
  missingSeqNos: readonly number[];
}

/** A session's already-written record, as far as a later Stop is compared with it. */
export interface RecordedStop {
  stoppedAt: string;
  meterStopWh: number | null;
}

/** The fields of a session record (CDR) that follow from its start and end. */
export interface SessionRecordFacts {
  protocol: 'ocpp1.6' | 'ocpp2.0.1';
  transactionId: string;
  evseId: number | null;
  connectorId: number | null;
  idTag: string | null;
  startedAt: string | null;
  stoppedAt: string;
  meterStartWh: number | null;
  meterStopWh: number | null;
  /** kWh, the canonical energy unit of device profiles; null when not derivable. */
  energyKWh: number | null;
  stopReason: string | null;
  flags: SessionFlag[];
  /** Whether the energy adds to totals: known, and nothing makes the record doubtful. */
  counted: boolean;
  /** Replayed from the station's offline queue (said so, or received late). */
  offline: boolean;
}

export type SessionEndDecision =
  | { kind: 'record'; facts: SessionRecordFacts }
  /** The session has its record already: note `code` beside it, never rewrite it. */
  | { kind: 'note'; code: SessionFlag };

const sameInstant = (a: string, b: string) => Date.parse(a) === Date.parse(b);

/**
 * How a session end is reconciled: a first end becomes the record (flagged when its start is
 * missing, its transaction id invalid, its events incomplete or its meter values unusable);
 * any later end of the same session is a note on that record — never a second record.
 *
 * @example endSession(null, end, { stoppedAt, meterStopWh: 4200 })
 *   // → { kind: 'note', code: 'session:stop.duplicate' } when `end` says the same
 */
export function endSession(
  start: SessionStart | null,
  end: SessionEnd,
  recorded: RecordedStop | null,
): SessionEndDecision {
  if (recorded) {
    const same =
      sameInstant(recorded.stoppedAt, end.stoppedAt) && recorded.meterStopWh === end.meterStopWh;
    return { kind: 'note', code: same ? SESSION_FLAGS.stopDuplicate : SESSION_FLAGS.stopConflict };
  }
  const flags: SessionFlag[] = [];
  const invalid = end.protocol === 'ocpp1.6' && Number(end.transactionId) < 0;
  if (invalid) flags.push(SESSION_FLAGS.transactionIdInvalid);
  const started = start !== null && start.startedAt !== null;
  // An invalid id says already that the start is unknown.
  if (!started && !invalid) flags.push(SESSION_FLAGS.stopWithoutStart);
  if (end.missingSeqNos.length > 0) flags.push(SESSION_FLAGS.seqGap);
  const meterStartWh = start?.meterStartWh ?? null;
  const energyKWh = energyOf(meterStartWh, end.meterStopWh);
  if (started && energyKWh === 'negative') flags.push(SESSION_FLAGS.meterNegative);
  if (started && energyKWh === null) flags.push(SESSION_FLAGS.meterMissing);
  const energy = typeof energyKWh === 'number' ? energyKWh : null;
  return {
    kind: 'record',
    facts: {
      protocol: end.protocol,
      transactionId: end.transactionId,
      evseId: start?.evseId ?? null,
      connectorId: start?.connectorId ?? null,
      idTag: start?.idTag ?? end.idTag,
      startedAt: start?.startedAt ?? null,
      stoppedAt: end.stoppedAt,
      meterStartWh,
      meterStopWh: end.meterStopWh,
      energyKWh: energy,
      stopReason: end.stopReason,
      flags,
      counted: energy !== null && !flags.some((f) => UNCOUNTED_FLAGS.has(f)),
      offline: end.saidOffline || isLate(end.stoppedAt, end.receivedAt),
    },
  };
}

/** A message received long after its own timestamp came from the station's offline queue. */
export const isLate = (at: string, receivedAt: string) =>
  Date.parse(receivedAt) - Date.parse(at) > LATE_AFTER_MS;

function energyOf(startWh: number | null, stopWh: number | null): number | 'negative' | null {
  if (startWh === null || stopWh === null) return null;
  if (stopWh < startWh) return 'negative';
  return convertUnit(stopWh - startWh, 'Wh', 'kWh') ?? null;
}

/**
 * What a 2.0.1 event arriving after its session was recorded means: another Ended is a
 * duplicate stop, anything else an event after the end.
 */
export const lateEventFlag = (eventType: string): SessionFlag =>
  eventType === 'Ended' ? SESSION_FLAGS.stopDuplicate : SESSION_FLAGS.eventAfterEnd;

/**
 * The seqNos missing between the lowest and the highest received (2.0.1 numbers a
 * transaction's events one by one).
 *
 * @example missingSeqNos([0, 1, 4]) // → [2, 3]
 */
export function missingSeqNos(received: readonly number[]): number[] {
  if (received.length === 0) return [];
  const seen = new Set(received);
  const low = Math.min(...received);
  const high = Math.max(...received);
  const missing: number[] = [];
  for (let n = low + 1; n < high; n++) if (!seen.has(n)) missing.push(n);
  return missing;
}
