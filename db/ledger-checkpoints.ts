import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { and, asc, eq, gt, sql as dsql } from 'drizzle-orm';
import type { Database } from './client';
import { ledgerCheckpoints, ledgerEntries, ledgerKeys } from './schema';

/** The installation's checkpoint signer: an Ed25519 private key. */
export interface LedgerSigner {
  readonly keyId: string;
  readonly publicKey: string;
  sign(statement: string): string;
}

/** A signer from a PKCS#8 PEM Ed25519 private key (`openssl genpkey -algorithm ed25519`). */
export function ledgerSigner(privateKeyPem: string): LedgerSigner {
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error('the ledger signing key must be an Ed25519 private key (PEM)');
  const publicKey = createPublicKey(key);
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return {
    keyId: createHash('sha256').update(der).digest('hex').slice(0, 16),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign: (statement) => sign(null, Buffer.from(statement, 'utf8'), key).toString('base64'),
  };
}

/**
 * The exact text a checkpoint signs: its tenant, the sequence number and hash of the chain's
 * head, when, and with which key. Lines end with "\n", the last one too.
 */
export function checkpointStatement(c: {
  tenantId: string;
  seq: number;
  headHash: string;
  signedAt: string;
  keyId: string;
}): string {
  return [
    'doppel-ledger-checkpoint/v1',
    `tenant ${c.tenantId}`,
    `seq ${c.seq}`,
    `head ${c.headHash}`,
    `signed-at ${c.signedAt}`,
    `key ${c.keyId}`,
    '',
  ].join('\n');
}

/**
 * Signs the head of every tenant's chain that grew since its last checkpoint. Run every 30 s
 * (ledgerCheckpoints workflow), so any entry is under a signed checkpoint within a minute.
 */
export async function checkpointLedgers(
  database: Database,
  signer: LedgerSigner,
): Promise<{ signed: number }> {
  const { db } = database;
  await db
    .insert(ledgerKeys)
    .values({ keyId: signer.keyId, publicKey: signer.publicKey })
    .onConflictDoNothing();
  const heads = await db.execute<{ tenant_id: string; seq: string; hash: string }>(dsql`
    select e.tenant_id, e.seq, e.hash from ledger_entries e
    join (select tenant_id, max(seq) as seq from ledger_entries group by tenant_id) h
      on h.tenant_id = e.tenant_id and h.seq = e.seq
    where e.seq > coalesce(
      (select max(c.seq) from ledger_checkpoints c where c.tenant_id = e.tenant_id), 0)`);
  let signed = 0;
  for (const head of heads) {
    const signedAt = new Date().toISOString();
    const statement = checkpointStatement({
      tenantId: head.tenant_id,
      seq: Number(head.seq),
      headHash: head.hash,
      signedAt,
      keyId: signer.keyId,
    });
    const inserted = await db
      .insert(ledgerCheckpoints)
      .values({
        tenantId: head.tenant_id,
        seq: Number(head.seq),
        headHash: head.hash,
        keyId: signer.keyId,
        statement,
        signature: signer.sign(statement),
        signedAt,
      })
      .onConflictDoNothing()
      .returning({ seq: ledgerCheckpoints.seq });
    signed += inserted.length;
  }
  return { signed };
}

export interface LedgerEntryRow {
  seq: number;
  kind: string;
  recordId: string;
  body: string;
  prevHash: string;
  hash: string;
}

/** A tenant's entries after a sequence number, in order. */
export async function readLedger(
  database: Database,
  tenantId: string,
  afterSeq: number,
  limit: number,
): Promise<LedgerEntryRow[]> {
  return database.db
    .select({
      seq: ledgerEntries.seq,
      kind: ledgerEntries.kind,
      recordId: ledgerEntries.recordId,
      body: ledgerEntries.body,
      prevHash: ledgerEntries.prevHash,
      hash: ledgerEntries.hash,
    })
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.tenantId, tenantId), gt(ledgerEntries.seq, afterSeq)))
    .orderBy(asc(ledgerEntries.seq))
    .limit(limit);
}

/** A tenant's checkpoints after a sequence number, oldest first. */
export async function readCheckpoints(
  database: Database,
  tenantId: string,
  afterSeq: number,
  limit: number,
) {
  return database.db
    .select()
    .from(ledgerCheckpoints)
    .where(and(eq(ledgerCheckpoints.tenantId, tenantId), gt(ledgerCheckpoints.seq, afterSeq)))
    .orderBy(asc(ledgerCheckpoints.seq))
    .limit(limit);
}

export async function readLedgerKeys(database: Database) {
  return database.db.select().from(ledgerKeys).orderBy(asc(ledgerKeys.firstUsedAt));
}
