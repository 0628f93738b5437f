import { isRejection, reject, type Rejection } from '../errors';
import { SHADOW_INVALID_PATCH, SHADOW_VERSION_CONFLICT } from './codes';
import type { JsonObject } from './json';
import { SHADOW_MAX_BYTES, shadowSize } from './limits';
import { changedPaths, mergePatch, type ShadowPath } from './merge-patch';
import { parsePatch } from './parse-patch';
import type { Shadow, ShadowSection } from './state';

export interface UpdateOptions {
  /** ISO-8601 time of the update; becomes the timestamp of every changed leaf. */
  readonly at: string;
  /** Optimistic concurrency: refuse the update unless the shadow is still at this version. */
  readonly expectedVersion?: number;
}

export interface ShadowUpdate {
  readonly shadow: Shadow;
  /** False for a no-op patch; the shadow (and its version) is then returned unchanged. */
  readonly changed: boolean;
  /** The effective part of the patch (`null` for deletes), ready to record as an event. */
  readonly changes: JsonObject;
  readonly changedPaths: readonly ShadowPath[];
}

/**
 * Merges a patch into what the operator wants the device to be.
 *
 * @example
 *   const out = updateDesired(shadow, { led: { color: 'red' } }, { at, expectedVersion: 3 });
 *   if (!isRejection(out) && out.changed) emit(out.changedPaths); // [['led', 'color']]
 */
export function updateDesired(
  shadow: Shadow,
  patch: unknown,
  options: UpdateOptions,
): ShadowUpdate | Rejection {
  return update(shadow, 'desired', patch, options);
}

/**
 * Merges a patch into what the device says it is. Shares the version with `desired`, so an
 * `expectedVersion` read before a report arrived is refused as well.
 *
 * @example updateReported(shadow, { led: { color: 'red' } }, { at })
 */
export function updateReported(
  shadow: Shadow,
  patch: unknown,
  options: UpdateOptions,
): ShadowUpdate | Rejection {
  return update(shadow, 'reported', patch, options);
}

function update(
  shadow: Shadow,
  section: ShadowSection,
  patch: unknown,
  { at, expectedVersion }: UpdateOptions,
): ShadowUpdate | Rejection {
  if (expectedVersion !== undefined && expectedVersion !== shadow.version) {
    return reject(
      SHADOW_VERSION_CONFLICT,
      `shadow is at version ${shadow.version}, not ${expectedVersion}; ` +
        're-read the shadow and retry the update with its current version',
    );
  }
  const parsed = parsePatch(patch);
  if (isRejection(parsed)) return parsed;

  const merged = mergePatch(shadow[section], shadow.metadata[section], parsed, at);
  const paths = changedPaths(merged.changes);
  if (paths.length === 0) return { shadow, changed: false, changes: {}, changedPaths: [] };

  const next: Shadow =
    section === 'desired'
      ? {
          ...shadow,
          desired: merged.doc,
          metadata: { ...shadow.metadata, desired: merged.meta },
          version: shadow.version + 1,
        }
      : {
          ...shadow,
          reported: merged.doc,
          metadata: { ...shadow.metadata, reported: merged.meta },
          version: shadow.version + 1,
        };
  const size = shadowSize(next);
  if (size > SHADOW_MAX_BYTES) {
    return reject(
      SHADOW_INVALID_PATCH,
      `patch would grow the shadow to ${size} bytes, over the limit of ${SHADOW_MAX_BYTES}; ` +
        'send smaller values or delete unused keys by setting them to null',
    );
  }
  return { shadow: next, changed: true, changes: merged.changes, changedPaths: paths };
}
