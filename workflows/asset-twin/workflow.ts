import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import {
  decide,
  evolveAll,
  initialAssetState,
  type AssetCommand,
  type AssetTwinState,
} from '../../twins/asset';
import { isRejection, type Rejection } from '../../twins/errors';
import { apply } from './apply';
import { CommandQueue } from '../twin-queue';
import {
  assetStateQuery,
  bindDeviceUpdate,
  createAssetUpdate,
  deviceStatusSignal,
  setAssetAttributesUpdate,
  unbindDeviceUpdate,
  type AssetChangeResult,
  type AssetTwinArgs,
} from './messages';

const now = () => new Date().toISOString();
const failure = (r: Rejection) =>
  ApplicationFailure.create({ type: r.code, message: r.message, nonRetryable: true });

/**
 * The asset twin: an entity workflow per asset (`asset:<tenant>:<assetId>`). It wires
 * messages to the pure twin in twins/asset, agrees bindings with the device twins and
 * projects each change to PostgreSQL.
 */
export async function assetTwin(args: AssetTwinArgs): Promise<void> {
  let state = args.state ?? initialAssetState(args);
  const inbox = new CommandQueue<AssetCommand, AssetTwinState>(args.pending);

  setHandler(deviceStatusSignal, (status) =>
    inbox.push({ command: { type: 'device-status', status } }),
  );
  setHandler(assetStateQuery, () => state);

  /** An update is a queued command whose caller waits for the version it produced. */
  function onUpdate<R>(
    update: UpdateDefinition<AssetChangeResult, [R]>,
    toCommand: (request: R) => AssetCommand,
  ) {
    setHandler(
      update,
      (request) =>
        new Promise<AssetChangeResult>((resolve, reject) =>
          inbox.push({
            command: toCommand(request),
            reply: (outcome) =>
              isRejection(outcome)
                ? reject(failure(outcome))
                : resolve({ version: outcome.version }),
          }),
        ),
      {
        // Judged against the state the change will meet: the current one with the waiting
        // commands applied. The device twin's answer to a bind comes only when it runs.
        validator: (request) => {
          const outcome = decide(foresee(state, inbox.peek()), toCommand(request));
          if (isRejection(outcome)) throw failure(outcome);
        },
      },
    );
  }
  onUpdate(createAssetUpdate, (r) => ({ type: 'create', at: now(), ...r }));
  onUpdate(setAssetAttributesUpdate, (r) => ({ type: 'set-attributes', at: now(), ...r }));
  // Only the device twin may tell a device's status: a caller's request never carries one.
  onUpdate(bindDeviceUpdate, (r) => ({
    type: 'bind',
    at: now(),
    actor: r.actor,
    deviceId: r.deviceId,
    ...(r.reason ? { reason: r.reason } : {}),
  }));
  onUpdate(unbindDeviceUpdate, (r) => ({ type: 'unbind', at: now(), ...r }));

  const continueAsNewNow = () => workflowInfo().continueAsNewSuggested && allHandlersFinished();
  for (;;) {
    await condition(() => inbox.length > 0 || continueAsNewNow());
    if (inbox.length > 0) {
      state = await apply(state, inbox.takeAll());
      inbox.done();
    }
    if (inbox.length === 0 && continueAsNewNow()) {
      await continueAsNew<typeof assetTwin>({
        tenantId: state.tenantId,
        assetId: state.assetId,
        state,
        pending: inbox.snapshot().pending,
      });
    }
  }
}

/** The state after the waiting commands, skipping those the twin would refuse. */
function foresee(state: AssetTwinState, waiting: readonly AssetCommand[]): AssetTwinState {
  return waiting.reduce((s, command) => {
    const outcome = decide(s, command);
    return isRejection(outcome) ? s : evolveAll(s, outcome);
  }, state);
}
