// The editor shows the whole desired document; updateDesired takes a patch (nested objects
// merge, null deletes a key). This turns "the document as it was" and "as edited" into the
// patch that makes one the other.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The patch from `before` to `after`: changed and added keys with their new values, removed
 * keys as null, nested objects patched key by key; an empty object when nothing changed.
 *
 * @example desiredPatch({ a: 1, b: { c: 1, d: 2 } }, { b: { c: 1 }, e: 3 })
 * // → { a: null, b: { d: null }, e: 3 }
 */
export function desiredPatch(before: JsonObject, after: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const key of Object.keys(before)) if (!(key in after)) patch[key] = null;
  for (const [key, value] of Object.entries(after)) {
    const old = before[key];
    if (isObject(old) && isObject(value)) {
      const nested = desiredPatch(old, value);
      if (Object.keys(nested).length > 0) patch[key] = nested;
    } else if (!(key in before) || !same(old, value)) {
      // An object replacing a scalar merges into nothing, so it arrives whole.
      patch[key] = value;
    }
  }
  return patch;
}

/** The editor's text as a desired document, or why it is not one. */
export function parseDesired(text: string): { document: JsonObject } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { problem: `not JSON: ${(error as Error).message}` };
  }
  if (!isObject(parsed)) return { problem: 'the desired state must be a JSON object ({ … })' };
  return { document: parsed };
}
