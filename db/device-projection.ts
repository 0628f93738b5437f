import { and, asc, eq, isNull, sql as dsql } from 'drizzle-orm';
import { evolve, type DeviceEvent, type DeviceTwinState } from '../twins/device';
import type { DeviceKey } from '../twins/ids';
import type { Database } from './client';
import { deviceAuditEntry } from '../twins/audit/device-audit';
import { twinAuditRow, writeAudit } from './audit-writer';
import { appendToOutbox } from './outbox-writer';
import { applyAlarmEffects } from './alarm-effects';
import { recordAlarmEvents } from './alarm-events';
import { deviceCredentials, deviceLifecycleHistory, deviceTwins } from './schema';
import { recordRow as row } from './device-record';

/**
 * Writes a twin's new state and one outbox row per event in one transaction. Idempotent:
 * a retried call (same versions) changes nothing, and an older version never overwrites a
 * newer one.
 */
export async function projectDeviceTwin(
  database: Database,
  before: DeviceTwinState,
  events: readonly DeviceEvent[],
): Promise<DeviceTwinState> {
  const states: DeviceTwinState[] = [];
  let state = before;
  for (const event of events) states.push((state = evolve(state, event)));
  if (states.length === 0) return before;

  await database.db.transaction(async (tx) => {
    const values = row(state);
    await tx
      .insert(deviceTwins)
      .values(values)
      .onConflictDoUpdate({
        target: [deviceTwins.tenantId, deviceTwins.deviceId],
        set: { ...values },
        setWhere: dsql`${deviceTwins.version} < excluded.version`,
      });
    await writeChanges(tx, before, events, states);
  });
  return state;
}

export type Tx = Parameters<Parameters<Database['db']['transaction']>[0]>[0];

/**
 * What goes with a twin's change besides its record: lifecycle history, revoked credentials,
 * audit entries and outbox rows (`states[i]` is the state after `events[i]`).
 */
export async function writeChanges(
  tx: Tx,
  before: DeviceTwinState,
  events: readonly DeviceEvent[],
  states: readonly DeviceTwinState[],
): Promise<void> {
  const state = states[states.length - 1]!;
  const transitions = events.flatMap((event, i) =>
    event.type === 'lifecycle-changed' ? [{ event, version: states[i]!.version }] : [],
  );
  if (transitions.length > 0) {
    await tx
      .insert(deviceLifecycleHistory)
      .values(
        transitions.map(({ event, version }) => ({
          tenantId: state.tenantId,
          deviceId: state.deviceId,
          version,
          fromState: event.from,
          toState: event.to,
          actor: event.actor,
          reason: event.reason,
          replacedBy: event.replacedBy,
          effects: [...event.effects],
          at: event.at,
        })),
      )
      .onConflictDoNothing();
  }
  // Revoked in the same transaction as the state change: the credential stops working the
  // moment the device is replaced or retired, not after some later step.
  const revokedAt = transitions.find(({ event }) => event.effects.includes('revoke-credentials'))
    ?.event.at;
  if (revokedAt) {
    await tx
      .update(deviceCredentials)
      .set({ revokedAt: new Date(revokedAt), updatedAt: new Date(revokedAt) })
      .where(
        and(
          eq(deviceCredentials.tenantId, state.tenantId),
          eq(deviceCredentials.deviceId, state.deviceId),
          isNull(deviceCredentials.revokedAt),
        ),
      );
  }
  // Alarms follow the lifecycle: muted in maintenance, cleared when retired or replaced.
  const alarmEffects =
    transitions.length > 0
      ? await applyAlarmEffects(
          tx,
          state,
          transitions.map(({ event }) => event),
        )
      : { audit: [], events: [] };
  // The audit trail and the ledger before the outbox: the outbox's lock is always taken last.
  await writeAudit(tx, [
    ...events.flatMap((event, i) => {
      const entry = deviceAuditEntry(i === 0 ? before : states[i - 1]!, event, states[i]!);
      return entry ? [twinAuditRow(state.tenantId, entry)] : [];
    }),
    ...alarmEffects.audit,
  ]);
  await recordAlarmEvents(tx, alarmEffects.events);
  await appendToOutbox(
    tx,
    { type: 'device', tenantId: state.tenantId, id: state.deviceId },
    events.map((event, i) => ({ event, state: states[i]! })),
  );
}

/** The projected twin, or null when the device is unknown to the tenant. */
export async function findDeviceTwin(
  database: Database,
  key: DeviceKey,
): Promise<DeviceTwinState | null> {
  const [found] = await database.db
    .select({ state: deviceTwins.state })
    .from(deviceTwins)
    .where(and(eq(deviceTwins.tenantId, key.tenantId), eq(deviceTwins.deviceId, key.deviceId)));
  return found?.state ?? null;
}

/** Whether the device has a record (its twin may not run yet: it starts on first need). */
export async function deviceRecordExists(database: Database, key: DeviceKey): Promise<boolean> {
  const [found] = await database.db
    .select({ version: deviceTwins.version })
    .from(deviceTwins)
    .where(and(eq(deviceTwins.tenantId, key.tenantId), eq(deviceTwins.deviceId, key.deviceId)));
  return found !== undefined;
}

export type LifecycleHistoryRow = typeof deviceLifecycleHistory.$inferSelect;

/** A device's lifecycle transitions, oldest first. */
export async function deviceLifecycleHistoryOf(
  database: Database,
  key: DeviceKey,
): Promise<LifecycleHistoryRow[]> {
  return database.db
    .select()
    .from(deviceLifecycleHistory)
    .where(
      and(
        eq(deviceLifecycleHistory.tenantId, key.tenantId),
        eq(deviceLifecycleHistory.deviceId, key.deviceId),
      ),
    )
    .orderBy(asc(deviceLifecycleHistory.version));
}
