import { jsonEqual } from '../json-equal';
import { isJsonObject, type JsonObject, type JsonValue } from './json';
import type { Shadow } from './state';

/**
 * What the device still has to do: the desired values that reported does not match. Nested
 * objects yield only their differing leaves; an array differs as a whole. Keys only in
 * reported are left out, because the operator expressed no wish about them.
 *
 * @example delta(shadow) // desired { led: 'on', fan: 2 }, reported { led: 'on' } → { fan: 2 }
 */
export function delta(shadow: Shadow): JsonObject {
  return diff(shadow.desired, shadow.reported);
}

function diff(desired: JsonObject, reported: JsonObject): JsonObject {
  const out: Record<string, JsonValue> = {};
  for (const [key, want] of Object.entries(desired)) {
    const actual = Object.hasOwn(reported, key) ? reported[key] : undefined;
    if (isJsonObject(want) && isJsonObject(actual)) {
      const inner = diff(want, actual);
      if (Object.keys(inner).length > 0) out[key] = inner;
    } else if (actual === undefined || !jsonEqual(want, actual)) {
      out[key] = want;
    }
  }
  return out;
}

/** True when reported matches every desired value. @example inSync(emptyShadow()) === true */
export function inSync(shadow: Shadow): boolean {
  return Object.keys(delta(shadow)).length === 0;
}
