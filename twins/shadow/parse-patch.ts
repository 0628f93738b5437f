import { reject, type Rejection } from '../errors';
import { SHADOW_INVALID_PATCH } from './codes';
import type { JsonObject } from './json';
import { SHADOW_MAX_DEPTH } from './limits';

/**
 * Accepts a patch only if it is a plain JSON object no deeper than `SHADOW_MAX_DEPTH`.
 * Patches arrive as parsed JSON from devices and API callers, so their static type proves
 * nothing; checking here keeps `NaN`, `undefined`, class instances and cycles out of state.
 *
 * @example parsePatch({ led: { color: 'red' } }) // → the same object
 * @example parsePatch([1]) // → rejection 'twin:shadow.invalid-patch'
 */
export function parsePatch(patch: unknown): JsonObject | Rejection {
  if (!isPlainObject(patch)) {
    return reject(
      SHADOW_INVALID_PATCH,
      `a shadow patch must be a JSON object, got ${describe(patch)}; send { "key": value }`,
    );
  }
  const problem = findProblem(patch, []);
  return problem === undefined ? (patch as JsonObject) : reject(SHADOW_INVALID_PATCH, problem);
}

/** The first reason the value is not storable JSON, or `undefined` when it is. */
function findProblem(value: unknown, path: readonly string[]): string | undefined {
  if (path.length > SHADOW_MAX_DEPTH) {
    return `patch nests deeper than ${SHADOW_MAX_DEPTH} levels at ${show(path)}; flatten it`;
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : `${show(path)} is ${value}, which JSON cannot hold`;
  }
  if (Array.isArray(value)) {
    // An index loop, not forEach, so that holes of sparse arrays are seen (as undefined).
    for (let i = 0; i < value.length; i++) {
      const problem = findProblem(value[i], [...path, String(i)]);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      // Assigning this key would replace an object's prototype instead of storing a value.
      if (key === '__proto__') return `${show([...path, key])} is not an allowed key`;
      const problem = findProblem(item, [...path, key]);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  return `${show(path)} is ${describe(value)}, which is not a JSON value`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `a ${value.constructor?.name ?? 'non-plain object'}`;
  return `a ${typeof value}`;
}

function show(path: readonly string[]): string {
  return `"${path.join('.')}"`;
}
