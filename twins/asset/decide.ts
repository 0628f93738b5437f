import { isRejection, reject, type Rejection } from '../errors';
import { mergePatch, parsePatch, type JsonObject } from '../shadow';
import type { AssetCommand } from './commands';
import {
  ASSET_ALREADY_EXISTS,
  ASSET_ALREADY_HAS_DEVICE,
  ASSET_DEVICE_NOT_BOUND,
  ASSET_NAME_REQUIRED,
  ASSET_NOT_FOUND,
} from './codes';
import type { AssetEvent } from './events';
import type { AssetTwinState } from './state';

type Decision = AssetEvent[] | Rejection;

/**
 * Decides what a command means for an asset twin: the events to record, or a typed
 * rejection. Pure; a command whose effect is already recorded yields no events.
 *
 * @example decide(asset, { type: 'bind', at, actor: 'api', deviceId: 'c-18' })
 *   // → twin:asset.already-has-device while c-17 is bound
 */
export function decide(state: AssetTwinState, cmd: AssetCommand): Decision {
  if (cmd.type === 'create') return decideCreate(state, cmd);
  if (state.version === 0) {
    // A device twin may report to an asset whose creation it raced; nothing to record then.
    if (cmd.type === 'device-status') return [];
    return reject(ASSET_NOT_FOUND, `asset ${state.assetId} does not exist; create it first`);
  }
  switch (cmd.type) {
    case 'set-attributes':
      return decideSetAttributes(state, cmd);
    case 'bind': {
      const bound = state.device?.deviceId;
      if (bound === cmd.deviceId) return [];
      if (bound) {
        return reject(
          ASSET_ALREADY_HAS_DEVICE,
          `asset ${state.assetId} has device ${bound}; unbind it first, then bind ${cmd.deviceId}`,
        );
      }
      const { at, actor, deviceId } = cmd;
      return [
        { type: 'device-bound', at, actor, deviceId, status: cmd.status ?? null, ...why(cmd) },
      ];
    }
    case 'unbind': {
      const bound = state.device?.deviceId;
      if (!bound || (cmd.deviceId !== undefined && cmd.deviceId !== bound)) {
        return reject(
          ASSET_DEVICE_NOT_BOUND,
          bound
            ? `device ${cmd.deviceId} is not bound to asset ${state.assetId}; ${bound} is`
            : `asset ${state.assetId} has no device bound`,
        );
      }
      return [
        { type: 'device-unbound', at: cmd.at, actor: cmd.actor, deviceId: bound, ...why(cmd) },
      ];
    }
    case 'device-status': {
      const known = state.deviceStatus[cmd.status.deviceId];
      if (known && known.version >= cmd.status.version) return [];
      return [{ type: 'device-status-changed', at: cmd.status.at, status: cmd.status }];
    }
  }
}

function decideCreate(
  state: AssetTwinState,
  cmd: Extract<AssetCommand, { type: 'create' }>,
): Decision {
  if (state.version > 0)
    return reject(ASSET_ALREADY_EXISTS, `asset ${state.assetId} exists already`);
  const name = cmd.name.trim();
  if (name === '') return reject(ASSET_NAME_REQUIRED, 'give the asset a name');
  const patch = parsePatch(cmd.attributes ?? {});
  if (isRejection(patch)) return patch;
  return [
    {
      type: 'created',
      at: cmd.at,
      actor: cmd.actor,
      name,
      kind: cmd.kind ?? null,
      siteId: cmd.siteId,
      customerId: cmd.customerId,
      // Merged into nothing, so that `null` values are dropped as in any later patch.
      attributes: mergePatch({}, {}, patch, cmd.at).doc,
      tags: normaliseTags(cmd.tags ?? []),
    },
  ];
}

function decideSetAttributes(
  state: AssetTwinState,
  cmd: Extract<AssetCommand, { type: 'set-attributes' }>,
): Decision {
  const patch = parsePatch(cmd.attributes ?? {});
  if (isRejection(patch)) return patch;
  const changes: JsonObject = mergePatch(state.attributes, {}, patch, cmd.at).changes;
  const name = cmd.name?.trim();
  if (name === '') return reject(ASSET_NAME_REQUIRED, 'an asset name cannot be empty');
  const tags = cmd.tags ? normaliseTags(cmd.tags) : null;
  const newName = name !== undefined && name !== state.name ? name : null;
  const newTags = tags && tags.join('\n') !== state.tags.join('\n') ? tags : null;
  if (Object.keys(changes).length === 0 && newName === null && newTags === null) return [];
  return [
    {
      type: 'attributes-changed',
      at: cmd.at,
      actor: cmd.actor,
      changes,
      name: newName,
      tags: newTags,
    },
  ];
}

/** The reason of a (un)binding, only when one was given: events without one stay as they were. */
const why = (cmd: { reason?: string }) => {
  const reason = cmd.reason?.trim();
  return reason ? { reason } : {};
};

/** Tags are a set: trimmed, without blanks or repeats, sorted so that order means nothing. */
function normaliseTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter((t) => t !== ''))].sort();
}
