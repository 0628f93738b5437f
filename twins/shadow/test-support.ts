import { expect } from 'vitest';
import { isRejection, type Rejection } from '../errors';
import type { JsonObject } from './json';
import { emptyShadow, type Shadow } from './state';
import { updateDesired, updateReported, type ShadowUpdate } from './update';

/** Test times, one second apart, so a timestamp shows which update set a leaf. */
export const T0 = '2026-01-01T00:00:00.000Z';
export const T1 = '2026-01-01T00:00:01.000Z';

/** Unwraps an update the test expects to succeed, failing loudly with the rejection if not. */
export function applied(out: ShadowUpdate | Rejection): ShadowUpdate {
  if (isRejection(out)) throw new Error(`unexpected rejection ${out.code}: ${out.message}`);
  return out;
}

/**
 * Test-data builder: a shadow whose desired and reported were each written once at `at`.
 *
 * @example aShadow({ desired: { led: 'on' } }) // version 1, metadata at T0
 */
export function aShadow(
  init: { desired?: JsonObject; reported?: JsonObject; at?: string } = {},
): Shadow {
  const at = init.at ?? T0;
  let shadow = emptyShadow();
  if (init.desired) shadow = applied(updateDesired(shadow, init.desired, { at })).shadow;
  if (init.reported) shadow = applied(updateReported(shadow, init.reported, { at })).shadow;
  return shadow;
}

/**
 * Merges `patch` into a desired section holding `start` and checks the document and the
 * reported paths, that inputs are untouched, and that the recorded changes rebuild the result.
 */
export function expectDesiredMerge(
  start: JsonObject,
  patch: JsonObject,
  want: { desired: JsonObject; paths: string[][] },
): void {
  const before = aShadow({ desired: start });
  const snapshot = structuredClone(before);
  const out = applied(updateDesired(before, patch, { at: T1 }));
  expect(out.shadow.desired).toEqual(want.desired);
  expect(out.changedPaths).toEqual(want.paths);
  expect(out.changed).toBe(want.paths.length > 0);
  expect(before).toEqual(snapshot);
  // The changes are what an event records: merging them instead must give the same shadow.
  expect(applied(updateDesired(before, out.changes, { at: T1 })).shadow).toEqual(out.shadow);
}
