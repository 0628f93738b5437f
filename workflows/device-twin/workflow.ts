import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import {
  decide,
  DEFAULT_DEVICE_SETTINGS,
  evolveAll,
  initialDeviceState,
  nextCommandExpiry,
  type DeviceCommand,
  type DeviceTwinSettings,
  type DeviceTwinState,
} from '../../twins/device';
import { isRejection, type Rejection } from '../../twins/errors';
import type { TwinActivities } from '../activities';
import { projectionTaskQueue } from '../task-queues';
import { CommandQueue, type Queued } from '../twin-queue';
import { decideBatch } from '../decide-batch';
import { CommandDispatch } from './command-dispatch';
import { carryOutEffects, closeRefusedConnects } from './effects';
import { commitInRecord } from './record';
import {
  bindAssetUpdate,
  deviceInputSignal,
  deviceStateQuery,
  registerUpdate,
  sendCommandUpdate,
  setTagsUpdate,
  transitionLifecycleUpdate,
  unbindAssetUpdate,
  updateDesiredUpdate,
  type DeviceTwinArgs,
} from './messages';
import { changedSearchAttributes } from './search-attributes';

/** Projections go to their worker's projection queue (see projectionTaskQueue). */
const projectDeviceTwin = (...args: Parameters<TwinActivities['projectDeviceTwin']>) =>
  proxyActivities<TwinActivities>({
    taskQueue: projectionTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '200 ms', maximumInterval: '10 seconds' },
  }).projectDeviceTwin(...args);

const now = () => new Date().toISOString();
const MAX_HISTORY_EVENTS = 2_000;
/** Twins that commit in the record continue as new sooner: a short history replays fast. */
const MAX_RECORD_HISTORY_EVENTS = 500;
/**
 * Twins commit in the device record (docs/architecture.md): the pure twin decides on the
 * locked record in a local activity, the ingest path owns connectivity and reported state,
 * grace periods end in the fleet sweeper. Runs from before replay the old way.
 */
const IN_RECORD = 'twin-record-in-postgres';
const failure = (r: Rejection) =>
  ApplicationFailure.create({ type: r.code, message: r.message, nonRetryable: true });

/**
 * The device twin: an entity workflow per device (`device:<tenant>:<deviceId>`). It only
 * wires messages to the pure twin in twins/device, projects each change to PostgreSQL and
 * carries out the side effects the twin decided on.
 */
export async function deviceTwin(args: DeviceTwinArgs): Promise<void> {
  const settings = args.settings ?? DEFAULT_DEVICE_SETTINGS;
  // A replayed older meter reading no longer replaces a newer one. Runs started before this
  // rule recorded such reports as changes: the patch keeps them replayable. It is asked once,
  // here, so one run never mixes both rules; `settings` travels on without it.
  const rules = { ...settings, newestReadingsWin: patched('reported-meter-newest-reading-wins') };
  let state = args.state ?? initialDeviceState(args);
  // A twin started without state loads its record (below, once every handler is set: an
  // update that started the twin is delivered with its first activation). Until then its
  // updates are not validated early: the commit decides on the record anyway.
  const load = !args.state && patched(IN_RECORD);
  let loaded = !load;
  const queue = new CommandQueue<DeviceCommand, DeviceTwinState>(args.pending, args.lastBatches);

  /**
   * An update is a command whose caller waits: validated against the state it will meet (the
   * current one with the waiting commands applied), applied in order with the signals, and
   * answered once the change is projected.
   */
  function commandUpdate<Req extends object, Res>(
    update: UpdateDefinition<Res, [Req]>,
    toCommand: (request: Req) => DeviceCommand,
    toResult: (after: DeviceTwinState, request: Req) => Res,
  ) {
    setHandler(
      update,
      (request) =>
        new Promise<Res>((resolve, reject) =>
          queue.push({
            command: toCommand(request),
            reply: (outcome) =>
              isRejection(outcome) ? reject(failure(outcome)) : resolve(toResult(outcome, request)),
          }),
        ),
      {
        validator: (request) => {
          if (!loaded) return;
          const ahead = foresee(state, queue.peek(), rules);
          const outcome = decide(ahead, guardAsJudged(toCommand(request), ahead), rules);
          if (isRejection(outcome)) throw failure(outcome);
        },
      },
    );
  }

  setHandler(deviceInputSignal, (input) => {
    if (!queue.acceptBatch(input))
      log.info('replayed batch ignored', { sender: input.sender, batch: input.batch });
  });
  setHandler(deviceStateQuery, () => state);
  commandUpdate(
    transitionLifecycleUpdate,
    (r) => ({ type: 'transition', at: now(), ...r }),
    (s) => ({ version: s.version, lifecycle: s.lifecycle }),
  );
  commandUpdate(
    updateDesiredUpdate,
    (r) => ({ type: 'desire', at: now(), ...r }),
    (s) => ({ version: s.version, shadowVersion: s.shadow.version }),
  );
  const versionOnly = (s: DeviceTwinState) => ({ version: s.version });
  commandUpdate(registerUpdate, (r) => ({ type: 'register', at: now(), ...r }), versionOnly);
  commandUpdate(setTagsUpdate, (r) => ({ type: 'set-tags', at: now(), ...r }), versionOnly);
  commandUpdate(
    bindAssetUpdate,
    (r) => ({ type: 'bind', at: now(), ...r }),
    (s) => ({ version: s.version }),
  );
  commandUpdate(
    unbindAssetUpdate,
    (r) => ({ type: 'unbind', at: now(), ...r }),
    (s) => ({ version: s.version }),
  );

  // Temporal suggests continue-as-new near 4,000 events, but every signal also grows the
  // server's per-run state, and a busy twin slows down long before that: 2,000 is plenty.
  // (Runs started before this rule wait for Temporal's suggestion: the patch keeps them replayable.)
  const capHistory = patched('continue-as-new-at-2000-events');
  let inRecord = false;
  let commits = 0;
  const historyFull = () =>
    workflowInfo().continueAsNewSuggested ||
    (capHistory &&
      workflowInfo().historyLength >= (inRecord ? MAX_RECORD_HISTORY_EVENTS : MAX_HISTORY_EVENTS));
  const commands = new CommandDispatch((command) => queue.push({ command }));
  commandUpdate(
    sendCommandUpdate,
    (r) => ({ type: 'queue-command', at: now(), ...r }),
    (s, r) => ({ version: s.version, commandId: r.id }),
  );
  const continueAsNewNow = () => historyFull() && allHandlersFinished() && commands.idle;
  if (load) {
    state = await loadRecord(args, state);
    loaded = true;
  }
  for (;;) {
    inRecord = patched(IN_RECORD);
    // In the record, grace periods end in the fleet sweeper, not in a timer per twin.
    const graceDeadline = inRecord ? undefined : state.connectivity.pendingOffline?.deadline;
    const commandDeadline = nextCommandExpiry(state);
    const deadline = [graceDeadline, commandDeadline].filter((d): d is string => !!d).sort()[0];
    const woke = deadline
      ? await condition(
          () => queue.length > 0 || continueAsNewNow(),
          Math.max(1, Date.parse(deadline) - Date.now()),
        )
      : (await condition(() => queue.length > 0 || continueAsNewNow()), true);
    if (!woke && graceDeadline) queue.push({ command: { type: 'grace-expired', at: now() } });
    if (!woke && commandDeadline) queue.push({ command: { type: 'expire-commands', at: now() } });
    if (queue.length > 0) {
      const items = queue.takeAll();
      // What the batch changes is projected in the trace of the message that caused it.
      const traceparent = CommandQueue.traceparentOf(items);
      state = inRecord
        ? await commitInRecord(state, items, rules, ++commits, traceparent)
        : await apply(state, items, rules, traceparent);
      queue.done();
    }
    commands.dispatch(state);
    // Under sustained load the queue never empties: continue as new with the waiting signals
    // carried over. Waiting updates hold their handlers open, so none is ever carried. (Twins
    // started before this rule waited for an empty queue: the patch keeps them replayable.)
    const carryPending = patched('continue-as-new-with-pending-signals');
    if ((carryPending || queue.length === 0) && continueAsNewNow()) {
      const { tenantId, deviceId } = state;
      await continueAsNew<typeof deviceTwin>({
        tenantId,
        deviceId,
        settings,
        state,
        ...queue.snapshot(),
      });
    }
  }
}

/**
 * A command as the update validator judges it. The ingest path moves the record's version and
 * its shadow's (reports, connections) without the twin hearing of it, so the twin's may lag
 * the one a caller read. A guard below the version the twin will be at is stale for sure and
 * refused here; one above it was read from the record past what the twin holds, and is left
 * to the commit, which judges it on the locked record (and refuses it with the same code).
 */
function guardAsJudged(command: DeviceCommand, ahead: DeviceTwinState): DeviceCommand {
  if (!('expectedVersion' in command) || command.expectedVersion === undefined) return command;
  const held = command.type === 'desire' ? ahead.shadow.version : ahead.version;
  if (command.expectedVersion <= held) return command;
  const { expectedVersion: _leftToTheCommit, ...rest } = command;
  return rest;
}

/** The device's record, or the given initial state when it has none yet. */
async function loadRecord(key: DeviceTwinArgs, initial: DeviceTwinState): Promise<DeviceTwinState> {
  const { loadDeviceRecord } = proxyLocalActivities<TwinActivities>({
    startToCloseTimeout: '10 seconds',
  });
  return (await loadDeviceRecord({ tenantId: key.tenantId, deviceId: key.deviceId })) ?? initial;
}

/** The state after the waiting commands, skipping those the twin would refuse. */
function foresee(
  state: DeviceTwinState,
  waiting: readonly DeviceCommand[],
  settings: DeviceTwinSettings,
): DeviceTwinState {
  return waiting.reduce((s, command) => {
    const outcome = decide(s, command, settings);
    return isRejection(outcome) ? s : evolveAll(s, outcome);
  }, state);
}

/** Decides and applies a batch; replies to waiting updates once the change is projected. */
async function apply(
  state: DeviceTwinState,
  items: Queued<DeviceCommand, DeviceTwinState>[],
  settings: DeviceTwinSettings,
  traceparent: string | undefined,
): Promise<DeviceTwinState> {
  const { next, events, replies, refused } = await decideBatch(
    state,
    items,
    (s, c) => decide(s, c, settings),
    evolveAll,
  );
  if (events.length > 0) {
    await (traceparent
      ? projectDeviceTwin(state, events, traceparent)
      : projectDeviceTwin(state, events));
    const changed = changedSearchAttributes(state, next);
    if (changed.length > 0) upsertSearchAttributes(changed);
    await carryOutEffects(state, events, next);
  }
  // A connect that reached the twin after it was retired or replaced was welcomed by the
  // gateway before the twin could refuse it: close that connection too. (Twins started before
  // this rule left it open: the patch keeps them replayable.)
  const refusedConnects = refused.flatMap(({ command, rejection }) =>
    command.type === 'connect' && rejection.code === 'twin:device.closed' ? [command] : [],
  );
  if (refusedConnects.length > 0 && patched('close-refused-connects'))
    await closeRefusedConnects(next, refusedConnects);
  for (const reply of replies) reply();
  return next;
}
