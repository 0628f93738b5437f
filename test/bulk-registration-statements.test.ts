import { createHash } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createBulk } from '../db/bulk-provisioning-store';
import { registerBulkRows } from '../db/bulk-registration';
import { hashSecret } from '../db/credentials';
import { countingDatabase } from './support/counting-database';
import { uniqueTenant } from './support/stack';

/**
 * A batch of a bulk's rows (db/bulk-registration.ts) writes each table in a few statements
 * whatever its number of rows — records, identities, audit entries, ledger entries, outbox
 * rows — and its audit entries still chain into the tenant's ledger one after the other, in
 * the order they were made. Real PostgreSQL; every statement sent is counted.
 */
const database = countingDatabase(inject('databaseUrl'));
afterAll(() => database.close());

/** A request as the API stores it: with tags and desired configuration, three events a row. */
const STORED = { method: 'credentials', expect: {}, claimExpiresInS: 3600 } as const;
const request = (serial: string) => ({
  ...STORED,
  serial,
  activationTimeoutS: 3600,
  tags: ['batch'],
  desired: { interval: 60 },
});

/** The statements a batch of these positions sends. */
async function statementsOf(tenantId: string, bulkId: string, positions: number[]) {
  const before = database.queries.length;
  const results = await registerBulkRows(database, {
    tenantId,
    bulkId,
    actor: 'test',
    requestedAt: new Date().toISOString(),
    positions,
  });
  expect(results.map((r) => r.status)).toEqual(positions.map(() => 'registered'));
  return database.queries.length - before;
}

describe('a bulk registration batch', () => {
  it('sends as many statements for 60 rows as for 3, and chains its audit entries into the ledger in order', async () => {
    const tenantId = uniqueTenant('bps');
    const bulkId = 'statements-1';
    const secretHash = await hashSecret('dpl_test-secret');
    const rows = Array.from({ length: 63 }, (_, position) => ({
      position,
      line: position + 2,
      serial: `S-${position}`,
      method: 'credentials' as const,
      request: request(`S-${position}`),
      secretHash,
      status: 'pending' as const,
      reason: null,
    }));
    await createBulk(
      database,
      { tenantId, bulkId, workflowId: `bulk-provision:${tenantId}:${bulkId}`, createdBy: 'test' },
      rows,
    );
    const few = await statementsOf(tenantId, bulkId, [0, 1, 2]);
    const many = await statementsOf(
      tenantId,
      bulkId,
      rows.slice(3).map((r) => r.position),
    );
    expect(many).toBe(few);

    // Every row's three audited events, in one chain without gaps: each entry links to the one
    // before and its hash is SHA-256 over that link, a newline and its body.
    const entries = await database.sql<
      { seq: number; record_id: string; body: string; prev_hash: string; hash: string }[]
    >`
      select seq::int, record_id, body, prev_hash, hash from ledger_entries
      where tenant_id = ${tenantId} order by seq`;
    expect(entries).toHaveLength(63 * 3);
    let prev = '0'.repeat(64);
    entries.forEach((e, i) => {
      expect(e.seq).toBe(i + 1);
      expect(e.prev_hash).toBe(prev);
      expect(e.hash).toBe(createHash('sha256').update(`${prev}\n${e.body}`, 'utf8').digest('hex'));
      prev = e.hash;
    });
    // In the order the audit entries were made (their ids), each device's events in turn.
    const ids = entries.map((e) => Number(e.record_id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const bodies = entries.map((e) => JSON.parse(e.body));
    expect(bodies.slice(0, 3).map((b) => [b.subject, b.operation])).toEqual([
      ['device:S-0', 'device.registered'],
      ['device:S-0', 'device.tags-changed'],
      ['device:S-0', 'device.desired-changed'],
    ]);
    expect(new Set(bodies.map((b) => b.subject)).size).toBe(63);
    const [audit] = await database.sql`
      select count(*)::int as n from audit_entries where tenant_id = ${tenantId}`;
    expect(audit!.n).toBe(63 * 3);
    const [outbox] = await database.sql`
      select count(*)::int as n from outbox where tenant_id = ${tenantId}`;
    expect(outbox!.n).toBe(63 * 3);
  });
});
