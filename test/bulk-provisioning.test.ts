import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBulk } from '../db/bulk-provisioning-store';
import { PROVISION_DEVICES } from '../graphql/cli/commands/bulk-queries';
import { hashSecret } from '../db/credentials';
import { startBulkProvisioning } from '../workflows/bulk-provisioning/client';
import { startProvisioning } from '../workflows/provisioning/client';
import { eventually, graphql } from './support/graphql';
import { helloDevice, startTestStack, uniqueTenant, type TestStack } from './support/stack';

/**
 * Bulk provisioning through the real API, Temporal and PostgreSQL: a file's rows are
 * registered in batches (rows that expect something at activation each go to their own
 * provisioning workflow), the secrets are shown once (never stored or in history), a device
 * connects with one and its row becomes active; a bad file starts nothing.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const BULK = `query ($t: ID!, $b: ID!) {
  bulkProvisioning(tenantId: $t, bulkId: $b) {
    status total
    counts { pending registered started alreadyProvisioned refused failed submitted admitting awaitingActivation active settled }
    rows(first: 50) { position line serial method status reason provisioningStatus provisioningReason }
  }
}`;
const PROVISION = `mutation ($i: ProvisionDeviceInput!) { provisionDevice(input: $i) { created secret } }`;

async function bulkOf(tenantId: string, bulkId: string) {
  const res = await graphql(stack.apiUrl, BULK, { t: tenantId, b: bulkId });
  expect(res.errors).toBeUndefined();
  return res.data.bulkProvisioning;
}

const untilSubmitted = (tenantId: string, bulkId: string) =>
  eventually(async () => {
    const bulk = await bulkOf(tenantId, bulkId);
    return bulk.status === 'SUBMITTED' ? bulk : undefined;
  }, 30_000);

/** Payload bytes as text, so a test can look for a secret anywhere in a workflow's history. */
async function historyText(workflowId: string): Promise<string> {
  const history = await stack.temporal.workflow.getHandle(workflowId).fetchHistory();
  return JSON.stringify(history, (_, v) =>
    v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v,
  );
}

/** A request as the API stores it (defaults filled in). */
const request = (serial: string) => ({
  serial,
  method: 'credentials' as const,
  claimExpiresInS: 3600,
  expect: {},
  activationTimeoutS: 3600,
});
/** One that expects a firmware at activation: it goes to its own provisioning workflow. */
const expecting = (serial: string) => ({ ...request(serial), expect: { firmware: '1.0' } });

describe('bulk provisioning', () => {
  it('provisions every row of a CSV, refuses a serial provisioned before, and a device connects with its secret', async () => {
    const tenantId = uniqueTenant('bp');
    const before = await graphql(stack.apiUrl, PROVISION, { i: { tenantId, serial: 'SN-OLD' } });
    expect(before.data.provisionDevice.created).toBe(true);
    const csv = [
      'serial,method,claimToken,tags,activationTimeoutS',
      'SN-1,credentials,,a;b,',
      'SN-2,claim,printed-on-the-box-0123456789,,',
      'SN-OLD,credentials,,,',
      'SN-3,claim,,,',
    ].join('\n');
    const res = await graphql(stack.apiUrl, PROVISION_DEVICES, {
      i: { tenantId, format: 'CSV', content: csv, defaults: { model: 'wallbox-x' } },
    });
    expect(res.errors).toBeUndefined();
    const bulk = res.data.provisionDevices;
    expect(bulk).toMatchObject({
      workflowId: `bulk-provision:${tenantId}:${bulk.bulkId}`,
      total: 4,
      accepted: 3,
      refused: [
        {
          line: 4,
          serial: 'SN-OLD',
          reason: 'SN-OLD was provisioned before (awaiting-activation): nothing was issued',
        },
      ],
    });
    const identities = Object.fromEntries(bulk.identities.map((i: any) => [i.serial, i]));
    expect(identities['SN-1']).toMatchObject({ line: 2, method: 'CREDENTIALS' });
    expect(identities['SN-1'].secret).toMatch(/^dpl_/);
    expect(identities['SN-2']).toMatchObject({
      method: 'CLAIM',
      secret: 'printed-on-the-box-0123456789',
    });
    expect(identities['SN-3'].secret).toMatch(/^clm_/);

    const submitted = await untilSubmitted(tenantId, bulk.bulkId);
    expect(submitted.counts).toMatchObject({
      pending: 0,
      registered: 3,
      started: 0,
      refused: 1,
      submitted: 4,
    });
    expect(submitted.rows.map((r: any) => [r.line, r.serial, r.method, r.status])).toEqual([
      [2, 'SN-1', 'CREDENTIALS', 'REGISTERED'],
      [3, 'SN-2', 'CLAIM', 'REGISTERED'],
      [4, 'SN-OLD', 'CREDENTIALS', 'REFUSED'],
      [5, 'SN-3', 'CLAIM', 'REGISTERED'],
    ]);

    // Its identity is stored with its record (awaiting activation): the device of SN-1
    // connects with the secret from the answer, and its row becomes active.
    await eventually(async () => {
      const b = await bulkOf(tenantId, bulk.bulkId);
      return b.rows[0].provisioningStatus === 'AWAITING_ACTIVATION' ? b : undefined;
    }, 30_000);
    const device = await helloDevice(stack.gatewayUrl, {
      tenantId,
      deviceId: 'SN-1',
      token: identities['SN-1'].secret,
    });
    const active = await eventually(async () => {
      const b = await bulkOf(tenantId, bulk.bulkId);
      return b.counts.active === 1 ? b : undefined;
    }, 30_000);
    device.close();
    expect(active.rows[0]).toMatchObject({ serial: 'SN-1', provisioningStatus: 'ACTIVE' });
    expect(active.rows[1]).toMatchObject({
      serial: 'SN-2',
      provisioningStatus: 'AWAITING_ACTIVATION',
      provisioningReason: 'the device never connected',
    });
    expect(active.counts).toMatchObject({ active: 1, awaitingActivation: 2, settled: 2 });

    // Only hashes were kept, and none once submitted; no secret is in the workflows' histories.
    const stored = await stack.database.sql`
      select secret_hash, request::text as request from bulk_provisioning_rows where tenant_id = ${tenantId}`;
    expect(stored.every((r) => r.secret_hash === null)).toBe(true);
    const histories = await historyText(bulk.workflowId);
    for (const { secret } of bulk.identities) {
      expect(histories).not.toContain(secret);
      expect(JSON.stringify(stored)).not.toContain(secret);
    }
  });

  it('starts nothing for a file with a bad row, and names every bad line', async () => {
    const tenantId = uniqueTenant('bpx');
    const csv = [
      'serial,method,activationTimeoutS',
      'SN-1,credentials,',
      'SN-2,teleport,',
      'SN-3,claim,soon',
      'SN-1,claim,',
    ].join('\n');
    const res = await graphql(stack.apiUrl, PROVISION_DEVICES, {
      i: { tenantId, format: 'CSV', content: csv },
    });
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: 'provisioning:bulk.invalid',
      errorCount: 3,
      errors: [
        { line: 3, serial: 'SN-2' },
        { line: 4, serial: 'SN-3', reason: 'activationTimeoutS: "soon" is not a whole number' },
        { line: 5, serial: 'SN-1', reason: 'serial SN-1 is also on line 2' },
      ],
    });
    expect(res.errors?.[0]?.message).toContain('line 3: method:');
    const [row] = await stack.database.sql`
      select (select count(*) from bulk_provisionings where tenant_id = ${tenantId})
           + (select count(*) from device_provisioning where tenant_id = ${tenantId}) as n`;
    expect(Number(row!.n)).toBe(0);
  });

  it('records a row provisioned meanwhile as provisioned before (its secret void), and a row its own earlier attempt started as started', async () => {
    const tenantId = uniqueTenant('bpr');
    const bulkId = 'race-1';
    const rows = await Promise.all(
      ['SN-A', 'SN-B', 'SN-C'].map(async (serial, position) => ({
        position,
        line: position + 2,
        serial,
        method: 'credentials' as const,
        request: expecting(serial),
        secretHash: await hashSecret(`dpl_test-${serial}`),
        status: 'pending' as const,
        reason: null,
      })),
    );
    await createBulk(
      stack.database,
      { tenantId, bulkId, workflowId: `bulk-provision:${tenantId}:${bulkId}`, createdBy: 'test' },
      rows,
    );
    const args = {
      tenantId,
      actor: 'test',
      secretHash: 'x',
      requestedAt: new Date().toISOString(),
    };
    // Provisioned by someone else after the file was accepted…
    await startProvisioning(stack.temporal, { ...args, request: expecting('SN-B') });
    // …and started by this bulk's earlier attempt that crashed before recording it.
    await startProvisioning(
      stack.temporal,
      { ...args, request: expecting('SN-C') },
      { memo: { bulkId } },
    );
    await startBulkProvisioning(stack.temporal, {
      tenantId,
      bulkId,
      actor: 'test',
      requestedAt: args.requestedAt,
      total: 3,
    });
    const bulk = await untilSubmitted(tenantId, bulkId);
    expect(bulk.rows.map((r: any) => [r.serial, r.status, r.reason])).toEqual([
      ['SN-A', 'STARTED', null],
      [
        'SN-B',
        'ALREADY_PROVISIONED',
        `provisioned before this bulk (provision:${tenantId}:SN-B): the secret issued for this row is void`,
      ],
      ['SN-C', 'STARTED', null],
    ]);
    expect(bulk.counts).toMatchObject({ started: 2, alreadyProvisioned: 1 });
  });

  it('pages through the rows across continued runs, its outcomes carried over', async () => {
    const tenantId = uniqueTenant('bpn');
    const bulkId = 'paged-1';
    const rows = Array.from({ length: 60 }, (_, position) => ({
      position,
      line: position + 2,
      serial: `SN-${position}`,
      method: 'credentials' as const,
      request: { ...request(`SN-${position}`) },
      // No identity: each row fails at once, so no provisioning runs and the test stays quick.
      secretHash: null,
      status: 'pending' as const,
      reason: null,
    }));
    const workflowId = `bulk-provision:${tenantId}:${bulkId}`;
    await createBulk(stack.database, { tenantId, bulkId, workflowId, createdBy: 'test' }, rows);
    await startBulkProvisioning(stack.temporal, {
      tenantId,
      bulkId,
      actor: 'test',
      requestedAt: new Date().toISOString(),
      total: rows.length,
      pageSize: 1,
    });
    // One page per row: past the suite's 300 events Temporal suggests continuing as new.
    const result = await stack.temporal.workflow.getHandle(workflowId).result();
    expect(result).toEqual({
      registered: 0,
      alreadyRegistered: 0,
      refused: 0,
      started: 0,
      alreadyProvisioned: 0,
      failed: 60,
    });
    const runs = await eventually(async () => {
      let n = 0;
      for await (const _ of stack.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
        n++;
      return n >= 2 ? n : undefined;
    });
    expect(runs).toBeGreaterThanOrEqual(2);
    const bulk = await untilSubmitted(tenantId, bulkId);
    expect(bulk.counts).toMatchObject({ pending: 0, failed: 60, submitted: 60 });
    expect(new Set(bulk.rows.map((r: any) => `${r.status}: ${r.reason}`))).toEqual(
      new Set(['FAILED: the row has no identity to store']),
    );
  });
});
