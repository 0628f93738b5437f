import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

/**
 * Which keys a bundle check accepts. A bundle carries the keys its checkpoints were signed
 * with, but anyone who alters a ledger can re-sign it with a key of their own and ship that
 * key too: only a key pinned out of band (`trustedKeys`) says the installation signed it.
 * `trustBundleKeys` accepts the bundle's own keys — a check of consistency, not of origin.
 */
export interface BundleTrust {
  /** PEM public keys: the only ones accepted. */
  trustedKeys?: string[];
  /** Accept the keys the bundle carries (when no key is pinned). */
  trustBundleKeys?: boolean;
}

const der = (key: KeyObject) => key.export({ type: 'spki', format: 'der' });

/** A key's id: the first 16 hex digits of the SHA-256 of its DER SubjectPublicKeyInfo. */
export const keyIdOf = (key: KeyObject) =>
  createHash('sha256').update(der(key)).digest('hex').slice(0, 16);

/**
 * The bundle's keys by id, each bound to its id: a key whose id is not its own hash is left
 * out with a problem (a checkpoint naming it then finds no key), so a bundle cannot show one
 * key under the id a statement names and verify with another.
 */
export function boundKeys(
  keys: ReadonlyArray<{ keyId: string; publicKey: string }>,
  problems: string[],
): Map<string, KeyObject> {
  const bound = new Map<string, KeyObject>();
  for (const k of keys) {
    const key = createPublicKey(k.publicKey);
    const id = keyIdOf(key);
    // Base64 and DER let one key be written several ways (spare bits, a BIT STRING's unused-bits
    // byte): only the canonical PEM counts, so no byte of a bundle can change unnoticed.
    const canonical = String(key.export({ type: 'spki', format: 'pem' }));
    if (canonical.trim() !== k.publicKey.trim())
      problems.push(`key ${k.keyId}: not written in canonical PEM (its bytes were changed)`);
    else if (id !== k.keyId)
      problems.push(`key ${k.keyId}: its id is not its own hash (that is ${id})`);
    else bound.set(k.keyId, key);
  }
  return bound;
}

/** Whether checkpoints signed with `key` are accepted; null when nothing is trusted at all. */
export function trustOf(trust: BundleTrust): ((key: KeyObject) => boolean) | null {
  const pinned = new Set(
    (trust.trustedKeys ?? []).map((pem) => der(createPublicKey(pem)).toString('hex')),
  );
  if (pinned.size > 0) return (key) => pinned.has(der(key).toString('hex'));
  return trust.trustBundleKeys ? () => true : null;
}
