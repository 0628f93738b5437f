import type { JsonObject } from './json';

/** When a leaf value was last set. Arrays are leaves: they are replaced whole. */
export interface MetaLeaf {
  readonly timestamp: string;
}

/**
 * Metadata mirrors its document: a nested object of the document has a nested `Meta`, every
 * other value a `MetaLeaf`. Read it alongside the document, which says which of the two a
 * node is (a document key may itself be called `timestamp`).
 */
export interface Meta {
  readonly [key: string]: MetaLeaf | Meta;
}

export type ShadowSection = 'desired' | 'reported';

/**
 * A device shadow with AWS IoT semantics: what the operator wants (`desired`), what the device
 * last said (`reported`), per-leaf timestamps, and one version for the whole document.
 */
export interface Shadow {
  readonly desired: JsonObject;
  readonly reported: JsonObject;
  readonly metadata: { readonly desired: Meta; readonly reported: Meta };
  /** Incremented by every update that changes desired or reported; never by a no-op. */
  readonly version: number;
}

/** @example updateDesired(emptyShadow(), { led: 'on' }, { at }) // → version 1 */
export function emptyShadow(): Shadow {
  return { desired: {}, reported: {}, metadata: { desired: {}, reported: {} }, version: 0 };
}
