import { and, eq, max, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { chargingSessionEvents, chargingSessions } from '../../db/schema';
import type { DeviceKey } from '../../twins/ids';

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
    const { db } = this.database;
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
        target: [chargingSessions.tenantId, chargingSessions.deviceId, chargingSessions.stationKey],
        set: { updatedAt: sql`now()` },
      })
      .returning({ id: chargingSessions.id });
    await db
      .update(chargingSessions)
      .set({ transactionId: String(start.transactionId ?? row!.id) })
      .where(eq(chargingSessions.id, row!.id));
    return start.transactionId ?? row!.id;
  }

  /** OCPP 1.6 StopTransaction: the stopped session's connector, or null for an unknown id. */
  async stop16(
    key: DeviceKey,
    stop: { transactionId: number; meterStopWh: number; at: string; reason: string | null },
  ): Promise<{ connectorId: number | null } | null> {
    const [row] = await this.database.db
      .update(chargingSessions)
      .set({
        stoppedAt: stop.at,
        meterStopWh: stop.meterStopWh,
        stopReason: stop.reason ?? 'Local',
        updatedAt: sql`now()`,
      })
      .where(
        and(
          eq(chargingSessions.transactionId, String(stop.transactionId)),
          eq(chargingSessions.protocol, 'ocpp1.6'),
          eq(chargingSessions.tenantId, key.tenantId),
          eq(chargingSessions.deviceId, key.deviceId),
        ),
      )
      .returning({ connectorId: chargingSessions.connectorId });
    return row ?? null;
  }

  /**
   * OCPP 2.0.1 TransactionEvent, once per (transactionId, seqNo). A retried event returns
   * the answer stored with the first; `gap` tells that earlier seqNos are missing.
   */
  async record201(
    key: DeviceKey,
    event: TransactionEventRecord,
    answer: Record<string, unknown>,
  ): Promise<{
    answer: Record<string, unknown>;
    duplicate: boolean;
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
      if (inserted.length === 0) {
        const [stored] = await tx
          .select({ answer: chargingSessionEvents.answer })
          .from(chargingSessionEvents)
          .where(and(ofTransaction, eq(chargingSessionEvents.seqNo, event.seqNo)));
        return { answer: stored!.answer, duplicate: true, gap: false, evseId: null };
      }
      const evseId = await upsertSession(tx, key, event);
      const previous = last?.seqNo ?? null;
      const gap = previous !== null && event.seqNo > previous + 1;
      return { answer, duplicate: false, gap, evseId };
    });
  }
}

type Tx = Parameters<Parameters<Database['db']['transaction']>[0]>[0];

/** Opens or updates the event's session; returns the session's evse as far as known. */
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
