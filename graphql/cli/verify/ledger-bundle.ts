import { createHash, verify } from 'node:crypto';
import { boundKeys, trustOf, type BundleTrust } from './bundle-keys';

/**
 * The export bundle of a tenant's ledger (docs/ledger.md) and its check, written from the
 * format alone — it shares no code with the server — so that what `doppel verify` accepts is
 * what the format says, and anyone can write the same check (or do it with openssl).
 */
export interface LedgerBundle {
  format: 'doppel-ledger-bundle/v1';
  tenant: string;
  exportedAt: string;
  keys: Array<{ keyId: string; publicKey: string }>;
  entries: Array<{
    seq: number;
    kind: string;
    recordId: string;
    body: string;
    prevHash: string;
    hash: string;
  }>;
  checkpoints: Array<{
    seq: number;
    headHash: string;
    keyId: string;
    statement: string;
    signature: string;
    signedAt: string;
  }>;
}

export const BUNDLE_FORMAT = 'doppel-ledger-bundle/v1';
const GENESIS = '0'.repeat(64);

export interface VerifyOptions extends BundleTrust {
  /** What the newest checkpoint's age is measured against (now by default). */
  now?: Date;
  /** Fail when the newest checkpoint is older than this (seconds). */
  maxCheckpointAgeS?: number;
}

export interface Verdict {
  ok: boolean;
  problems: string[];
  entries: number;
  checkpoints: number;
  /** The newest signed head: seq and when. */
  signedThrough: { seq: number; signedAt: string } | null;
  /**
   * Seconds from the newest checkpoint to `now` and to the bundle's `exportedAt`. Removing the
   * newest entries together with their checkpoints leaves a bundle that verifies, but whose
   * newest checkpoint is old: the age is how a cut tail shows.
   */
  newestCheckpointAge: { now: number; export: number | null } | null;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function parseStatement(statement: string): Record<string, string> | null {
  const lines = statement.split('\n');
  if (lines[0] !== 'doppel-ledger-checkpoint/v1' || lines.at(-1) !== '') return null;
  const fields: Record<string, string> = {};
  for (const line of lines.slice(1, -1)) {
    const space = line.indexOf(' ');
    if (space < 1) return null;
    fields[line.slice(0, space)] = line.slice(space + 1);
  }
  return fields;
}

/**
 * Checks a bundle: every entry's hash over its body, every link to the entry before, no
 * missing sequence number, each body naming its own kind and id, each key's id being its own
 * hash, every checkpoint's Ed25519 signature by a trusted key and that it signs the hash of the
 * entry at its seq, that the newest entry is under a checkpoint, and — with
 * `maxCheckpointAgeS` — that the newest checkpoint is recent. Without `trustedKeys` (PEM) or
 * an explicit `trustBundleKeys`, nothing is trusted and the bundle does not verify.
 */
export function verifyBundle(raw: unknown, options: VerifyOptions): Verdict {
  try {
    return check(raw, options);
  } catch (error) {
    // A bundle altered so far that it cannot even be read is a bundle that does not verify.
    return {
      ok: false,
      problems: [`the bundle cannot be checked: ${(error as Error).message}`],
      entries: 0,
      checkpoints: 0,
      signedThrough: null,
      newestCheckpointAge: null,
    };
  }
}

const secondsBetween = (from: string, to: Date) =>
  Math.round((to.getTime() - Date.parse(from)) / 1000);

function check(raw: unknown, options: VerifyOptions): Verdict {
  const problems: string[] = [];
  const verdict = (): Verdict => ({
    ok: problems.length === 0,
    problems,
    entries: Array.isArray(b?.entries) ? b.entries.length : 0,
    checkpoints: Array.isArray(b?.checkpoints) ? b.checkpoints.length : 0,
    signedThrough,
    newestCheckpointAge,
  });
  const b = raw as LedgerBundle;
  let signedThrough: Verdict['signedThrough'] = null;
  let newestCheckpointAge: Verdict['newestCheckpointAge'] = null;
  const trusted = trustOf(options);
  if (!trusted)
    problems.push(
      "no trusted key: pin the installation's public key, or accept the bundle's own keys explicitly",
    );
  if (
    !b ||
    b.format !== BUNDLE_FORMAT ||
    !Array.isArray(b.entries) ||
    !Array.isArray(b.checkpoints)
  ) {
    problems.push(`not a ${BUNDLE_FORMAT} bundle`);
    return verdict();
  }
  const hashAt = new Map<number, string>();
  let prev = GENESIS;
  b.entries.forEach((entry, i) => {
    const where = `entry ${entry.seq}`;
    if (entry.seq !== i + 1)
      problems.push(`${where}: expected sequence number ${i + 1} (an entry is missing or moved)`);
    if (entry.prevHash !== prev)
      problems.push(`${where}: does not link to the entry before it (prevHash)`);
    if (sha256(`${entry.prevHash}\n${entry.body}`) !== entry.hash)
      problems.push(`${where}: its hash does not match its content (altered)`);
    try {
      const body = JSON.parse(entry.body) as { type?: unknown; id?: unknown };
      if (body.type !== entry.kind || body.id !== entry.recordId)
        problems.push(`${where}: kind or record id differ from the body's`);
    } catch {
      problems.push(`${where}: its body is not JSON`);
    }
    hashAt.set(entry.seq, entry.hash);
    prev = entry.hash;
  });
  const keys = boundKeys(b.keys ?? [], problems);
  let previous: { seq: number; signedAt: string } | null = null;
  for (const c of b.checkpoints) {
    const where = `checkpoint ${c.seq}`;
    // Oldest first, one per head: a repeated or reordered checkpoint is an edit, not a copy.
    if (previous && !(c.seq > previous.seq))
      problems.push(
        `${where}: after checkpoint ${previous.seq} (checkpoints must be in order and unique)`,
      );
    else if (previous && c.signedAt < previous.signedAt)
      problems.push(`${where}: signed before checkpoint ${previous.seq}, which it follows`);
    previous = { seq: c.seq, signedAt: c.signedAt };
    const key = keys.get(c.keyId);
    if (!key) {
      problems.push(`${where}: signed with key ${c.keyId}, which the bundle does not carry`);
      continue;
    }
    if (trusted && !trusted(key))
      problems.push(`${where}: key ${c.keyId} is not one of the trusted keys`);
    // Canonical base64 only: unused bits of the last character must not hide an edit.
    const signature = Buffer.from(c.signature, 'base64');
    if (
      signature.toString('base64') !== c.signature ||
      !verify(null, Buffer.from(c.statement, 'utf8'), key, signature)
    )
      problems.push(`${where}: the signature does not verify`);
    const fields = parseStatement(c.statement);
    if (
      !fields ||
      fields.tenant !== b.tenant ||
      fields.seq !== String(c.seq) ||
      fields.head !== c.headHash ||
      fields['signed-at'] !== c.signedAt ||
      fields.key !== c.keyId
    )
      problems.push(`${where}: the signed statement does not say what the checkpoint says`);
    const hash = hashAt.get(c.seq);
    if (hash === undefined)
      problems.push(
        `${where}: signs entry ${c.seq}, which the bundle does not have (entries removed)`,
      );
    else if (hash !== c.headHash)
      problems.push(`${where}: signs a head other than entry ${c.seq}'s hash`);
    else if (!signedThrough || c.seq > signedThrough.seq)
      signedThrough = { seq: c.seq, signedAt: c.signedAt };
  }
  const last = b.entries.at(-1)?.seq ?? 0;
  if (last > 0 && (signedThrough?.seq ?? 0) < last)
    problems.push(`entries after ${signedThrough?.seq ?? 0} are under no checkpoint`);
  const newest: Verdict['signedThrough'] = signedThrough;
  if (newest) {
    const exportedAt = typeof b.exportedAt === 'string' ? new Date(b.exportedAt) : null;
    newestCheckpointAge = {
      now: secondsBetween(newest.signedAt, options.now ?? new Date()),
      export:
        exportedAt && !Number.isNaN(exportedAt.getTime())
          ? secondsBetween(newest.signedAt, exportedAt)
          : null,
    };
    if (
      options.maxCheckpointAgeS !== undefined &&
      newestCheckpointAge.now > options.maxCheckpointAgeS
    )
      problems.push(
        `the newest checkpoint (entry ${newest.seq}, signed ${newest.signedAt}) is ` +
          `${newestCheckpointAge.now} s old, more than ${options.maxCheckpointAgeS} s: ` +
          'newer entries may have been cut off with their checkpoints',
      );
  }
  return verdict();
}
