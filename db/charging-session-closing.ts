import { and, eq, sql } from 'drizzle-orm';
import type { PgTransaction } from 'drizzle-orm/pg-core';
import { chargingSessionEvents, chargingSessions } from './schema';
import {
  findSessionRecord,
  keepSignedValues,
  noteOnSessionRecord,
  writeSessionRecord,
  type SessionRef,
} from './session-record-writer';
import type { DeviceKey } from '../twins/ids';
import {
  endSession,
  missingSeqNos,
  SESSION_FLAGS,
  type SessionEnd,
  type SignedMeterValue,
} from '../twins/sessions';

type Tx = PgTransaction<any, any, any>;

/** A 1.6 StopTransaction, as the session record needs it. */
export interface Stop16 {
  transactionId: number;
  meterStopWh: number;
  at: string;
  reason: string | null;
  idTag: string | null;
  signed: SignedMeterValue[];
  payload: Record<string, unknown>;
}

/**
 * The key of a 1.6 session's record. A stop with an id below 0 (started offline and never
 * given an id) is keyed by what it says, so its retries find one record.
 */
export const sessionKey16 = (transactionId: number, stop?: { at: string; meterStopWh: number }) =>
  transactionId < 0 && stop
    ? `invalid:${new Date(stop.at).toISOString()}:${stop.meterStopWh}`
    : `tx:${transactionId}`;

/**
 * Ends a 1.6 session: the first stop writes its record (and stops the session row), a later
 * one is a note on that record. Returns the session's connector (null when no session is
 * known) and whether this stop ended it.
 */
export async function close16(
  tx: Tx,
  key: DeviceKey,
  stop: Stop16,
  receivedAt: string,
): Promise<{ connectorId: number | null; ended: boolean }> {
  const ref: SessionRef = {
    ...key,
    protocol: 'ocpp1.6',
    sessionKey: sessionKey16(stop.transactionId, stop),
  };
  const ofSession = and(
    eq(chargingSessions.tenantId, key.tenantId),
    eq(chargingSessions.deviceId, key.deviceId),
    eq(chargingSessions.protocol, 'ocpp1.6'),
    eq(chargingSessions.transactionId, String(stop.transactionId)),
  );
  const [session] =
    stop.transactionId < 0
      ? []
      : await tx.select().from(chargingSessions).where(ofSession).for('update');
  const end: SessionEnd = {
    protocol: 'ocpp1.6',
    transactionId: String(stop.transactionId),
    stoppedAt: stop.at,
    meterStopWh: stop.meterStopWh,
    stopReason: stop.reason ?? 'Local',
    idTag: stop.idTag,
    receivedAt,
    saidOffline: false,
    missingSeqNos: [],
  };
  const recorded = await findSessionRecord(tx, ref);
  const decision = endSession(session ?? null, end, recorded);
  if (decision.kind === 'note') {
    await noteOnSessionRecord(
      tx,
      { ...noteOf(key, recorded!.id, receivedAt), code: decision.code },
      stop.payload,
    );
    return { connectorId: session?.connectorId ?? null, ended: false };
  }
  if (session)
    await tx
      .update(chargingSessions)
      .set({
        stoppedAt: stop.at,
        meterStopWh: stop.meterStopWh,
        stopReason: end.stopReason,
        updatedAt: sql`now()`,
      })
      .where(eq(chargingSessions.id, session.id));
  await keepSignedValues(tx, ref, stop.signed);
  await writeOnce(tx, ref, decision.facts, receivedAt, stop.payload);
  return { connectorId: session?.connectorId ?? null, ended: true };
}

const noteOf = (key: DeviceKey, recordId: number, at: string) => ({
  tenantId: key.tenantId,
  recordId,
  at,
});

/** Writes the record; a concurrent writer that won makes this a duplicate stop. */
async function writeOnce(
  tx: Tx,
  ref: SessionRef,
  facts: Parameters<typeof writeSessionRecord>[2],
  receivedAt: string,
  payload: Record<string, unknown>,
) {
  if (await writeSessionRecord(tx, ref, facts, receivedAt)) return;
  const recorded = await findSessionRecord(tx, ref);
  if (recorded)
    await noteOnSessionRecord(
      tx,
      { ...noteOf(ref, recorded.id, receivedAt), code: SESSION_FLAGS.stopDuplicate },
      payload,
    );
}

/** Writes the record of a 2.0.1 transaction whose Ended event was just stored. */
export async function close201(
  tx: Tx,
  ref: SessionRef & { transactionId: string },
  ended: { at: string; meterStopWh: number | null; stopReason: string | null },
  receivedAt: string,
  payload: Record<string, unknown>,
): Promise<void> {
  const [session] = await tx
    .select()
    .from(chargingSessions)
    .where(
      and(
        eq(chargingSessions.tenantId, ref.tenantId),
        eq(chargingSessions.deviceId, ref.deviceId),
        eq(chargingSessions.stationKey, ref.sessionKey),
      ),
    );
  const events = await tx
    .select({
      seqNo: chargingSessionEvents.seqNo,
      offline: sql<boolean>`coalesce((${chargingSessionEvents.payload}->>'offline')::boolean, false)`,
    })
    .from(chargingSessionEvents)
    .where(
      and(
        eq(chargingSessionEvents.tenantId, ref.tenantId),
        eq(chargingSessionEvents.deviceId, ref.deviceId),
        eq(chargingSessionEvents.transactionId, ref.transactionId),
      ),
    );
  const decision = endSession(
    session ?? null,
    {
      protocol: 'ocpp2.0.1',
      transactionId: ref.transactionId,
      stoppedAt: ended.at,
      meterStopWh: ended.meterStopWh,
      stopReason: ended.stopReason ?? 'Local',
      idTag: session?.idTag ?? null,
      receivedAt,
      saidOffline: events.some((e) => e.offline),
      missingSeqNos: missingSeqNos(events.map((e) => e.seqNo)),
    },
    null,
  );
  if (decision.kind === 'record') await writeOnce(tx, ref, decision.facts, receivedAt, payload);
}
