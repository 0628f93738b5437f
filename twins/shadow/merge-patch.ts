import { jsonEqual } from '../json-equal';
import { isJsonObject, type JsonObject, type JsonValue } from './json';
import type { Meta, MetaLeaf } from './state';

/** Keys from the section root to a changed value: `['led', 'color']`. Keys may contain dots. */
export type ShadowPath = readonly string[];

export interface MergedSection {
  readonly doc: JsonObject;
  readonly meta: Meta;
  /** The effective part of the patch: merging it instead gives the same document. */
  readonly changes: JsonObject;
}

/**
 * Merges a validated patch into one section: objects merge recursively, arrays and scalars
 * replace, `null` deletes, an object emptied by deletes disappears. Only values that really
 * change get `at` as their timestamp, so metadata tells when a value last changed, not when
 * it was last repeated. Never mutates its inputs.
 *
 * @example mergePatch({ a: 1, b: 2 }, meta, { b: null, c: [3] }, at).doc // → { a: 1, c: [3] }
 */
export function mergePatch(
  doc: JsonObject,
  meta: Meta,
  patch: JsonObject,
  at: string,
): MergedSection {
  const nextDoc: Record<string, JsonValue> = { ...doc };
  const nextMeta: Record<string, Meta | MetaLeaf> = { ...meta };
  const changes: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(patch)) {
    const present = Object.hasOwn(doc, key);
    const current = doc[key];
    if (value === null) {
      if (!present) continue;
      delete nextDoc[key];
      delete nextMeta[key];
      changes[key] = null;
    } else if (isJsonObject(value)) {
      const nested = isJsonObject(current);
      const inner = mergePatch(nested ? current : {}, nested ? asMeta(meta[key]) : {}, value, at);
      // Nothing to write (only deletes of absent keys, or `{}`): a scalar stays as it was.
      if (Object.keys(inner.changes).length === 0) continue;
      if (Object.keys(inner.doc).length === 0) {
        delete nextDoc[key];
        delete nextMeta[key];
      } else {
        nextDoc[key] = inner.doc;
        nextMeta[key] = inner.meta;
      }
      changes[key] = inner.changes;
    } else if (!present || !jsonEqual(current, value)) {
      nextDoc[key] = value;
      nextMeta[key] = { timestamp: at };
      changes[key] = value;
    }
  }
  return { doc: nextDoc, meta: nextMeta, changes };
}

/**
 * The paths of every value an effective patch set or deleted, for events and subscribers. A
 * value replaced by an object shows up as the object's leaves, so match paths by prefix.
 *
 * @example changedPaths({ led: { color: 'red' }, fan: null }) // → [['led', 'color'], ['fan']]
 */
export function changedPaths(changes: JsonObject, prefix: ShadowPath = []): ShadowPath[] {
  return Object.entries(changes).flatMap(([key, value]) =>
    isJsonObject(value) ? changedPaths(value, [...prefix, key]) : [[...prefix, key]],
  );
}

/** Metadata of a nested object; tolerates a shadow whose metadata was lost or hand-edited. */
function asMeta(node: Meta | MetaLeaf | undefined): Meta {
  return node === undefined || typeof node.timestamp === 'string' ? {} : (node as Meta);
}
