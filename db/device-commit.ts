import { and, eq } from 'drizzle-orm';
import {
  decide,
  evolve,
  initialDeviceState,
  type DeviceCommand,
  type DeviceEvent,
  type DeviceTwinSettings,
  type DeviceTwinState,
} from '../twins/device';
import { isRejection, type Rejection } from '../twins/errors';
import type { DeviceKey } from '../twins/ids';
import type { Database } from './client';
import { row, writeChanges } from './device-projection';
import { deviceTwins } from './schema';

export interface TwinCommit {
  readonly key: DeviceKey;
  /** Unique per commit of a twin run (run id + sequence): a retry returns the first outcome. */
  readonly id: string;
  readonly settings: DeviceTwinSettings;
  /** `reply`: the caller waits (an update) and needs the state right after its command. */
  readonly commands: ReadonlyArray<{ readonly command: DeviceCommand; readonly reply: boolean }>;
}

export interface TwinCommitOutcome {
  /** The record as the commit found it (locked). */
  readonly before: DeviceTwinState;
  readonly events: readonly DeviceEvent[];
  /** The record after the commit. */
  readonly after: DeviceTwinState;
  /** Per command: its refusal, or (for `reply` commands) the state right after it. */
  readonly results: ReadonlyArray<{ rejection?: Rejection; after?: DeviceTwinState }>;
}

/**
 * The twin's commit (docs/architecture.md, "The twin workflow"): locks the device record,
 * decides and evolves each command on it with the pure twin, writes the record and what goes
 * with its events (lifecycle history, revoked credentials, audit, outbox) in one transaction.
 * A commit whose id the record already holds changed it before (the worker died after
 * COMMIT): its recorded outcome is returned, nothing is decided twice.
 */
export async function commitDeviceCommands(
  database: Database,
  commit: TwinCommit,
): Promise<TwinCommitOutcome> {
  return database.db.transaction(async (tx) => {
    const [found] = await tx
      .select({ state: deviceTwins.state, lastCommit: deviceTwins.lastCommit })
      .from(deviceTwins)
      .where(
        and(
          eq(deviceTwins.tenantId, commit.key.tenantId),
          eq(deviceTwins.deviceId, commit.key.deviceId),
        ),
      )
      .for('update');
    if (found?.lastCommit?.id === commit.id) return found.lastCommit.outcome as TwinCommitOutcome;
    const before = found?.state ?? initialDeviceState(commit.key);
    const events: DeviceEvent[] = [];
    const states: DeviceTwinState[] = [];
    const results: Array<{ rejection?: Rejection; after?: DeviceTwinState }> = [];
    let state = before;
    for (const { command, reply } of commit.commands) {
      const decision = decide(state, command, commit.settings);
      if (isRejection(decision)) {
        results.push({ rejection: decision });
        continue;
      }
      for (const event of decision) {
        state = evolve(state, event);
        events.push(event);
        states.push(state);
      }
      results.push(reply ? { after: state } : {});
    }
    const outcome: TwinCommitOutcome = { before, events, after: state, results };
    const values = { ...row(state), lastCommit: { id: commit.id, outcome } };
    if (!found) {
      // No record and nothing recorded (a refused command): a device is not made by refusing it.
      if (events.length > 0) await tx.insert(deviceTwins).values(values);
    } else
      await tx
        .update(deviceTwins)
        .set(events.length > 0 ? values : { lastCommit: values.lastCommit })
        .where(
          and(
            eq(deviceTwins.tenantId, commit.key.tenantId),
            eq(deviceTwins.deviceId, commit.key.deviceId),
          ),
        );
    if (events.length > 0) await writeChanges(tx, before, events, states);
    return outcome;
  });
}
