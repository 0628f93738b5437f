import { createHash } from 'node:crypto';
import { and, asc, desc, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import type { PgTransaction } from 'drizzle-orm/pg-core';
import {
  signatureSummary,
  type SessionFlag,
  type SessionRecordFacts,
  type SignedMeterValue,
} from '../twins/sessions';
import { appendToLedger } from './ledger';
import {
  assetBindings,
  assets,
  deviceTwins,
  sessionRecordNotes,
  sessionRecords,
  sessionSignedValues,
} from './schema';

type Tx = PgTransaction<any, any, any>;

/** One session of one station: the key its record and its signed values are found by. */
export interface SessionRef {
  tenantId: string;
  deviceId: string;
  protocol: 'ocpp1.6' | 'ocpp2.0.1';
  /** `tx:<transactionId>`, or `invalid:<stop time>:<meterStop>` for a 1.6 stop with id -1. */
  sessionKey: string;
}

const ofSession = (ref: SessionRef) =>
  and(
    eq(sessionRecords.tenantId, ref.tenantId),
    eq(sessionRecords.deviceId, ref.deviceId),
    eq(sessionRecords.protocol, ref.protocol),
    eq(sessionRecords.sessionKey, ref.sessionKey),
  );

/** The session's record, if it has one already. */
export async function findSessionRecord(tx: Tx, ref: SessionRef) {
  const [row] = await tx
    .select({
      id: sessionRecords.id,
      stoppedAt: sessionRecords.stoppedAt,
      meterStopWh: sessionRecords.meterStopWh,
    })
    .from(sessionRecords)
    .where(ofSession(ref));
  return row ?? null;
}

/**
 * Keeps a running session's signed meter values (with their checks) until its record takes
 * them; once each: the digest is of the value as received, so a retried message, checked
 * again, finds its first copy.
 */
export async function keepSignedValues(
  tx: Tx,
  ref: SessionRef,
  values: readonly SignedMeterValue[],
): Promise<void> {
  if (values.length === 0) return;
  await tx
    .insert(sessionSignedValues)
    .values(
      values.map((value) => ({
        ...ref,
        digest: digestOf(value),
        value,
      })),
    )
    .onConflictDoNothing();
}

function digestOf({ verification: _, ...received }: SignedMeterValue): string {
  return createHash('sha256').update(JSON.stringify(received)).digest('hex');
}

/**
 * Writes the session's record (CDR) and appends it to the tenant's ledger, in the caller's
 * transaction; null when a concurrent message wrote it first. The record takes the signed
 * values kept for the session (their worst verdict, and flags for an invalid signature or a
 * meter's pagination gap or repeat) and the device's asset binding when the session started.
 */
export async function writeSessionRecord(
  tx: Tx,
  ref: SessionRef,
  facts: SessionRecordFacts,
  recordedAt: string,
): Promise<{ id: number } | null> {
  const signed = await tx
    .select({ value: sessionSignedValues.value })
    .from(sessionSignedValues)
    .where(
      and(
        eq(sessionSignedValues.tenantId, ref.tenantId),
        eq(sessionSignedValues.deviceId, ref.deviceId),
        eq(sessionSignedValues.protocol, ref.protocol),
        eq(sessionSignedValues.sessionKey, ref.sessionKey),
      ),
    )
    .orderBy(asc(sessionSignedValues.seq));
  const place = await bindingAt(tx, ref, facts.startedAt ?? facts.stoppedAt);
  const signedMeterData = signed.map((s) => s.value);
  const signatures = signatureSummary(signedMeterData);
  const row = {
    tenantId: ref.tenantId,
    deviceId: ref.deviceId,
    ...facts,
    flags: [...facts.flags, ...signatures.flags],
    startedAt: iso(facts.startedAt),
    stoppedAt: iso(facts.stoppedAt)!,
    ...place,
    signedMeterData,
    signatureVerdict: signatures.verdict,
    recordedAt: iso(recordedAt)!,
  };
  const [inserted] = await tx
    .insert(sessionRecords)
    .values({ ...row, sessionKey: ref.sessionKey })
    .onConflictDoNothing()
    .returning({ id: sessionRecords.id });
  if (!inserted) return null;
  // The ledger canonicalises this plain object; the signed data stays the strings received.
  await appendToLedger(tx, {
    tenantId: ref.tenantId,
    kind: 'session',
    recordId: String(inserted.id),
    record: { id: String(inserted.id), ...row },
  });
  return inserted;
}

/** Counts a late message about a recorded session beside its record (which never changes). */
export async function noteOnSessionRecord(
  tx: Tx,
  note: { tenantId: string; recordId: number; code: SessionFlag; at: string },
  payload: Record<string, unknown>,
): Promise<void> {
  await tx
    .insert(sessionRecordNotes)
    .values({ ...note, count: 1, firstAt: note.at, lastAt: note.at, lastPayload: payload })
    .onConflictDoUpdate({
      target: [sessionRecordNotes.tenantId, sessionRecordNotes.recordId, sessionRecordNotes.code],
      set: {
        count: sql`${sessionRecordNotes.count} + 1`,
        lastAt: note.at,
        lastPayload: payload,
      },
    });
}

const iso = (at: string | null) => (at === null ? null : new Date(at).toISOString());

/**
 * Where the device was installed at `at`: the asset binding in force then, with that asset's
 * site and customer; the device's current binding when no binding covers `at` (a station
 * clock that was wrong, or a session older than the binding history).
 */
async function bindingAt(tx: Tx, ref: SessionRef, at: string) {
  const [bound] = await tx
    .select({ assetId: assets.assetId, siteId: assets.siteId, customerId: assets.customerId })
    .from(assetBindings)
    .innerJoin(
      assets,
      and(eq(assets.tenantId, assetBindings.tenantId), eq(assets.assetId, assetBindings.assetId)),
    )
    .where(
      and(
        eq(assetBindings.tenantId, ref.tenantId),
        eq(assetBindings.deviceId, ref.deviceId),
        lte(assetBindings.boundAt, at),
        or(isNull(assetBindings.unboundAt), gt(assetBindings.unboundAt, at)),
      ),
    )
    .orderBy(desc(assetBindings.boundAt))
    .limit(1);
  if (bound) return bound;
  const [device] = await tx
    .select({
      assetId: deviceTwins.assetId,
      siteId: deviceTwins.siteId,
      customerId: deviceTwins.customerId,
    })
    .from(deviceTwins)
    .where(and(eq(deviceTwins.tenantId, ref.tenantId), eq(deviceTwins.deviceId, ref.deviceId)));
  return device ?? { assetId: null, siteId: null, customerId: null };
}
