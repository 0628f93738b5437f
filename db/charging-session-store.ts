import { and, eq, isNull, max, sql } from 'drizzle-orm';
import type { Database } from './client';
import { chargingSessionEvents, chargingSessions } from './schema';
import { findSessionRecord, keepSignedValues, noteOnSessionRecord } from './session-record-writer';
import type { DeviceKey } from '../twins/ids';
import {
  lateEventFlag,
  SESSION_FLAGS,
  type SessionFlag,
  type SignedMeterValue,
} from '../twins/sessions';
import { noteSiteLoad } from './site-load-store';
import { close16, close201, sessionKey16, type Stop16 } from './charging-session-closing';

export interface TransactionEventRecord {
  transactionId: string;
  seqNo: number;
  eventType: 'Started' | 'Updated' | 'Ended';
  triggerReason: string;
  at: string;
  evseId: number | null;
  connectorId: number | null;
  idTag: string | null;
  meterWh: number | null;
  stopReason: string | null;
  /** Signed meter values of the event, exactly as received. */
  signed: SignedMeterValue[];
  payload: Record<string, unknown>;
}

/** Charging sessions of OCPP stations in PostgreSQL: ids that survive restarts, retries deduplicated. */
export class ChargingSessionStore {
  constructor(private readonly database: Database) {}

  /** OCPP 1.6 StartTransaction: the session's transactionId; a retried start gets the same one. */
  async start16(
    key: DeviceKey,
    start: {
      connectorId: number;
      idTag: string;
      meterStartWh: number;
      at: string;
      /** A primary backend's id for the transaction; by default the session's own id. */
      transactionId?: number;
    },
  ): Promise<number> {
    return this.database.db.transaction(async (db) => {
      const [row] = await db
        .insert(chargingSessions)
        .values({
          ...key,
          protocol: 'ocpp1.6',
          stationKey: `start:${start.connectorId}:${start.at}`,
          connectorId: start.connectorId,
          idTag: start.idTag,
          startedAt: start.at,
          meterStartWh: start.meterStartWh,
        })
        .onConflictDoUpdate({
          target: [
            chargingSessions.tenantId,
            chargingSessions.deviceId,
            chargingSessions.stationKey,
          ],
          set: { updatedAt: sql`now()` },
        })
        .returning({ id: chargingSessions.id });
      await db
        .update(chargingSessions)
        .set({ transactionId: String(start.transactionId ?? row!.id) })
        .where(eq(chargingSessions.id, row!.id));
      await noteSiteLoad(db, key);
      return start.transactionId ?? row!.id;
    });
  }

  /**
   * OCPP 1.6 StopTransaction: ends the session and writes its record; a replayed or
   * duplicated stop only adds a note to that record. The session's connector, and whether
   * this stop ended it (false for a stop that ended nothing running).
   */
  async stop16(key: DeviceKey, stop: Stop16, receivedAt: string) {
    return this.database.db.transaction(async (tx) => {
      const closed = await close16(tx, key, stop, receivedAt);
      await noteSiteLoad(tx, key);
      return closed;
    });
  }

  /** OCPP 1.6 MeterValues of a transaction: its signed values wait for the session's record. */
  async signed16(key: DeviceKey, transactionId: number, values: SignedMeterValue[]) {
    if (values.length === 0) return;
    const ref = { ...key, protocol: 'ocpp1.6' as const, sessionKey: sessionKey16(transactionId) };
    await this.database.db.transaction((tx) => keepSignedValues(tx, ref, values));
  }

  /**
   * OCPP 2.0.1 TransactionEvent, once per (transactionId, seqNo). A retried event returns
   * the answer stored with the first; `gap` tells that earlier seqNos are missing. An Ended
   * event writes the session's record; events after it are noted beside the record (`late`).
   * `evseId` is the evse the transaction named, whichever event named it.
   */
  async record201(
    key: DeviceKey,
    event: TransactionEventRecord,
    answer: Record<string, unknown>,
    receivedAt: string,
  ): Promise<{
    answer: Record<string, unknown>;
    duplicate: boolean;
    late: boolean;
    gap: boolean;
    evseId: number | null;
  }> {
    return this.database.db.transaction(async (tx) => {
      const ofTransaction = and(
        eq(chargingSessionEvents.tenantId, key.tenantId),
        eq(chargingSessionEvents.deviceId, key.deviceId),
        eq(chargingSessionEvents.transactionId, event.transactionId),
      );
      const [last] = await tx
        .select({ seqNo: max(chargingSessionEvents.seqNo) })
        .from(chargingSessionEvents)
        .where(ofTransaction);
      const inserted = await tx
        .insert(chargingSessionEvents)
        .values({
          ...key,
          transactionId: event.transactionId,
          seqNo: event.seqNo,
          eventType: event.eventType,
          triggerReason: event.triggerReason,
          at: event.at,
          payload: event.payload,
          answer,
        })
        .onConflictDoNothing()
        .returning({ seqNo: chargingSessionEvents.seqNo });
      const ref = {
        ...key,
        protocol: 'ocpp2.0.1' as const,
        sessionKey: `tx:${event.transactionId}`,
        transactionId: event.transactionId,
      };
      const recorded = await findSessionRecord(tx, ref);
      const note = (code: SessionFlag) =>
        noteOnSessionRecord(
          tx,
          { tenantId: key.tenantId, recordId: recorded!.id, code, at: receivedAt },
          event.payload,
        );
      if (inserted.length === 0) {
        const [stored] = await tx
          .select({ answer: chargingSessionEvents.answer })
          .from(chargingSessionEvents)
          .where(and(ofTransaction, eq(chargingSessionEvents.seqNo, event.seqNo)));
        // A retried Ended of a recorded session is a duplicate stop; other retries are benign.
        if (recorded && event.eventType === 'Ended') await note(SESSION_FLAGS.stopDuplicate);
        const evseId = await knownEvse(tx, key, event.transactionId);
        return { answer: stored!.answer, duplicate: true, late: false, gap: false, evseId };
      }
      const previous = last?.seqNo ?? null;
      const gap = previous !== null && event.seqNo > previous + 1;
      // The record is written and never changes: what comes after it is noted beside it.
      if (recorded) {
        await note(lateEventFlag(event.eventType));
        const evseId = await knownEvse(tx, key, event.transactionId);
        return { answer, duplicate: false, late: true, gap, evseId };
      }
      const evseId = await upsertSession(tx, key, event);
      // A site's load manager hears starts and ends, not every update (docs/smart-charging.md).
      if (event.eventType !== 'Updated') await noteSiteLoad(tx, key);
      await keepSignedValues(tx, ref, event.signed);
      if (event.eventType === 'Ended')
        await close201(
          tx,
          ref,
          { at: event.at, meterStopWh: event.meterWh, stopReason: event.stopReason },
          receivedAt,
          event.payload,
        );
      return { answer, duplicate: false, late: false, gap, evseId };
    });
  }
}

/**
 * Ends every charging session still open on the device, now, with this stop reason (a retired
 * or replaced station's sessions); returns how many.
 */
export async function closeOpenChargingSessions(
  database: Database,
  key: DeviceKey,
  reason: string,
): Promise<number> {
  const rows = await database.db
    .update(chargingSessions)
    .set({ stoppedAt: new Date().toISOString(), stopReason: reason, updatedAt: new Date() })
    .where(
      and(
        eq(chargingSessions.tenantId, key.tenantId),
        eq(chargingSessions.deviceId, key.deviceId),
        isNull(chargingSessions.stoppedAt),
      ),
    )
    .returning({ id: chargingSessions.id });
  return rows.length;
}

type Tx = Parameters<Parameters<Database['db']['transaction']>[0]>[0];

/** Opens or updates the event's session; returns the session's evse as far as known. */
/** The evse a 2.0.1 transaction named (once, usually in its first event), or null. */
async function knownEvse(tx: Tx, key: DeviceKey, transactionId: string): Promise<number | null> {
  const [row] = await tx
    .select({ evseId: chargingSessions.evseId })
    .from(chargingSessions)
    .where(
      and(
        eq(chargingSessions.tenantId, key.tenantId),
        eq(chargingSessions.deviceId, key.deviceId),
        eq(chargingSessions.stationKey, `tx:${transactionId}`),
      ),
    );
  return row?.evseId ?? null;
}

async function upsertSession(
  tx: Tx,
  key: DeviceKey,
  event: TransactionEventRecord,
): Promise<number | null> {
  const started = event.eventType === 'Started';
  const ended = event.eventType === 'Ended';
  const known = <T>(field: string, value: T | null) => (value === null ? {} : { [field]: value });
  const changes = {
    ...known('evseId', event.evseId),
    ...known('connectorId', event.connectorId),
    ...known('idTag', event.idTag),
    ...(started ? { startedAt: event.at, ...known('meterStartWh', event.meterWh) } : {}),
    ...(ended
      ? {
          stoppedAt: event.at,
          stopReason: event.stopReason ?? 'Local',
          ...known('meterStopWh', event.meterWh),
        }
      : {}),
  };
  const [row] = await tx
    .insert(chargingSessions)
    .values({
      ...key,
      protocol: 'ocpp2.0.1',
      stationKey: `tx:${event.transactionId}`,
      transactionId: event.transactionId,
      ...changes,
    })
    .onConflictDoUpdate({
      target: [chargingSessions.tenantId, chargingSessions.deviceId, chargingSessions.stationKey],
      set: { ...changes, updatedAt: sql`now()` },
    })
    .returning({ evseId: chargingSessions.evseId });
  return row?.evseId ?? null;
}
