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
import { writeChanges } from './device-projection';
import { recordRow as row } from './device-record';
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
    const prints = commit.commands.map(({ command }) => fingerprint(command));
    // The same commit again: its workflow task failed after the COMMIT (a signal arrived
    // meanwhile, the worker died) and the retry took the same commands, plus any that arrived
    // since. The first ones are not decided twice: their outcome is the recorded one.
    const last = found?.lastCommit as StoredCommit | null | undefined;
    const repeat =
      last?.id === commit.id &&
      last.prints.length <= prints.length &&
      last.prints.every((p, i) => p === prints[i])
        ? last
        : null;
    if (repeat && repeat.prints.length === prints.length) return repeat.outcome;
    const before = repeat
      ? repeat.outcome.before
      : (found?.state ?? initialDeviceState(commit.key));
    const events: DeviceEvent[] = [...(repeat?.outcome.events ?? [])];
    const states: DeviceTwinState[] = [];
    const results: Array<{ rejection?: Rejection; after?: DeviceTwinState }> = [
      ...(repeat?.outcome.results ?? []),
    ];
    const fresh: DeviceEvent[] = [];
    let state = repeat ? found!.state : before;
    for (const { command, reply } of commit.commands.slice(repeat?.prints.length ?? 0)) {
      const decision = decide(state, command, commit.settings);
      if (isRejection(decision)) {
        results.push({ rejection: decision });
        continue;
      }
      for (const event of decision) {
        state = evolve(state, event);
        events.push(event);
        fresh.push(event);
        states.push(state);
      }
      results.push(reply ? { after: state } : {});
    }
    const outcome: TwinCommitOutcome = { before, events, after: state, results };
    const stored: StoredCommit = { id: commit.id, prints, outcome };
    const values = { ...row(state), lastCommit: stored };
    if (!found) {
      // No record and nothing recorded (a refused command): a device is not made by refusing it.
      if (fresh.length > 0) await tx.insert(deviceTwins).values(values);
    } else
      await tx
        .update(deviceTwins)
        .set(fresh.length > 0 ? values : { lastCommit: stored })
        .where(
          and(
            eq(deviceTwins.tenantId, commit.key.tenantId),
            eq(deviceTwins.deviceId, commit.key.deviceId),
          ),
        );
    if (fresh.length > 0) await writeChanges(tx, found?.state ?? before, fresh, states);
    return outcome;
  });
}

/** What the record keeps of the twin's last commit. */
interface StoredCommit {
  readonly id: string;
  /** One fingerprint per command, in order: a retry must start with the same commands. */
  readonly prints: readonly string[];
  readonly outcome: TwinCommitOutcome;
}

/** Enough of a command to tell it from another in the same place of a batch. */
function fingerprint(command: DeviceCommand): string {
  return `${command.type}@${command.at}`;
}
