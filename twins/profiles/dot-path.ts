/*
 * Vendor fields may be nested (`{ meter: { energy: 1 } }` read as `meter.energy`). A key that
 * literally contains the dot wins over nesting, as some devices flatten their payloads.
 */
type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value at a dot path; `found` tells an absent path from a present `undefined`. */
export function readPath(raw: Json, path: string): { found: boolean; value: unknown } {
  if (Object.hasOwn(raw, path)) return { found: true, value: raw[path] };
  let node: unknown = raw;
  for (const segment of path.split('.')) {
    if (!isRecord(node) || !Object.hasOwn(node, segment)) return { found: false, value: undefined };
    node = node[segment];
  }
  return { found: true, value: node };
}

/** A copy of `raw` without the given paths; objects left empty by the removal disappear. */
export function omitPaths(raw: Json, paths: readonly string[]): Json {
  let rest = raw;
  for (const path of paths) {
    rest = Object.hasOwn(rest, path) ? omitKey(rest, path) : omitNested(rest, path.split('.'));
  }
  return rest;
}

function omitKey(raw: Json, key: string): Json {
  const copy = { ...raw };
  delete copy[key];
  return copy;
}

function omitNested(raw: Json, [head, ...tail]: string[]): Json {
  if (head === undefined || !Object.hasOwn(raw, head)) return raw;
  if (tail.length === 0) return omitKey(raw, head);
  const child = raw[head];
  if (!isRecord(child)) return raw;
  const rest = omitNested(child, tail);
  return Object.keys(rest).length === 0 ? omitKey(raw, head) : { ...raw, [head]: rest };
}
