import { createHash, createPublicKey, verify } from 'node:crypto';

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

export interface Verdict {
  ok: boolean;
  problems: string[];
  entries: number;
  checkpoints: number;
  /** The newest signed head: seq and when. */
  signedThrough: { seq: number; signedAt: string } | null;
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
 * missing sequence number, each body naming its own kind and id, every checkpoint's Ed25519
 * signature and that it signs the hash of the entry at its seq, and that the newest entry is
 * under a checkpoint. `trustedKeys` (PEM), when given, are the only keys accepted.
 */
export function verifyBundle(raw: unknown, trustedKeys: string[] = []): Verdict {
  try {
    return check(raw, trustedKeys);
  } catch (error) {
    // A bundle altered so far that it cannot even be read is a bundle that does not verify.
    return {
      ok: false,
      problems: [`the bundle cannot be checked: ${(error as Error).message}`],
      entries: 0,
      checkpoints: 0,
      signedThrough: null,
    };
  }
}

function check(raw: unknown, trustedKeys: string[]): Verdict {
  const problems: string[] = [];
  const verdict = (): Verdict => ({
    ok: problems.length === 0,
    problems,
    entries: Array.isArray(b?.entries) ? b.entries.length : 0,
    checkpoints: Array.isArray(b?.checkpoints) ? b.checkpoints.length : 0,
    signedThrough,
  });
  const b = raw as LedgerBundle;
  let signedThrough: Verdict['signedThrough'] = null;
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
  const trusted = new Set(
    trustedKeys.map((pem) =>
      createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('hex'),
    ),
  );
  const keys = new Map((b.keys ?? []).map((k) => [k.keyId, k.publicKey]));
  for (const c of b.checkpoints) {
    const where = `checkpoint ${c.seq}`;
    const pem = keys.get(c.keyId);
    if (!pem) {
      problems.push(`${where}: signed with key ${c.keyId}, which the bundle does not carry`);
      continue;
    }
    const key = createPublicKey(pem);
    if (
      trusted.size > 0 &&
      !trusted.has(key.export({ type: 'spki', format: 'der' }).toString('hex'))
    )
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
  return verdict();
}
