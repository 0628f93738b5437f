import { jsonSize } from './json-size';
import type { Shadow } from './state';

/**
 * Deepest path a patch may write, counting object keys and array indices: `{ a: { b: 1 } }`
 * writes at depth 2. AWS IoT allows 8 levels; deeper documents are a modelling smell and the
 * bound also stops a cyclic object before it can exhaust the stack.
 */
export const SHADOW_MAX_DEPTH = 8;

/**
 * Largest `{ desired, reported }` document, in UTF-8 bytes of its JSON (metadata and version
 * excluded, as in AWS). AWS's 8 KB is too tight for charger configuration; 64 KiB still keeps
 * the shadow, its metadata and each update's history event far below Temporal's 2 MB payload
 * limit.
 */
export const SHADOW_MAX_BYTES = 64 * 1024;

/** @example shadowSize(emptyShadow()) === 27 // {"desired":{},"reported":{}} */
export function shadowSize(shadow: Shadow): number {
  return jsonSize({ desired: shadow.desired, reported: shadow.reported });
}
