import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVISION_DEVICES } from '../graphql/cli/commands/bulk-queries';
import { eventually, graphql } from './support/graphql';
import { helloDevice, startTestStack, uniqueTenant, type TestStack } from './support/stack';

/**
 * Bulk provisioning in batches (issue 18, docs/architecture.md): rows that need no workflow of
 * their own are registered many to a transaction — record, identity, outcome — and start no
 * workflow; a device's twin starts on first need (its first connection, an API mutation).
 * Real API, gateway, Temporal and PostgreSQL.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const BULK = `query ($t: ID!, $b: ID!, $after: Int) {
  bulkProvisioning(tenantId: $t, bulkId: $b) {
    status total
    counts { pending registered started alreadyRegistered failed submitted awaitingActivation active }
    rows(first: 100, after: $after) { position serial status reason provisioningStatus provisioningReason }
  }
}`;

/** The bulk with every row (pages of 100). */
async function bulkOf(tenantId: string, bulkId: string) {
  let bulk: any;
  const rows: any[] = [];
  do {
    const after = rows.length - 1;
    const res = await graphql(stack.apiUrl, BULK, { t: tenantId, b: bulkId, after });
    expect(res.errors).toBeUndefined();
    bulk = res.data.bulkProvisioning;
    rows.push(...bulk.rows);
  } while (bulk.rows.length === 100);
  return { ...bulk, rows };
}

const untilSubmitted = (tenantId: string, bulkId: string) =>
  eventually(async () => {
    const bulk = await bulkOf(tenantId, bulkId);
    return bulk.status === 'SUBMITTED' ? bulk : undefined;
  }, 120_000);

async function upload(tenantId: string, csv: string) {
  const res = await graphql(stack.apiUrl, PROVISION_DEVICES, {
    i: { tenantId, format: 'CSV', content: csv },
  });
  expect(res.errors).toBeUndefined();
  return res.data.provisionDevices;
}

/** Whether a workflow with this id was ever started (strongly consistent, unlike visibility). */
async function exists(workflowId: string): Promise<boolean> {
  try {
    await stack.temporal.workflow.getHandle(workflowId).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

/** Workflow ids of a type that start with a prefix, as visibility lists them. */
async function listed(type: string, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of stack.temporal.workflow.list({ query: `WorkflowType = '${type}'` }))
    if (wf.workflowId.startsWith(prefix)) ids.push(wf.workflowId);
  return ids;
}

async function lifecycleOf(tenantId: string, deviceId: string) {
  const [row] = await stack.database.sql`
    select lifecycle from device_twins where tenant_id = ${tenantId} and device_id = ${deviceId}`;
  return row?.lifecycle as string | undefined;
}

describe('bulk provisioning in batches', () => {
  it('registers 200 rows without a workflow per row, each with its result; a device connects with its secret and becomes active; secrets are shown once', async () => {
    const tenantId = uniqueTenant('bpb');
    const serials = Array.from({ length: 200 }, (_, i) => `B-${i}`);
    const csv = ['serial,tags', ...serials.map((s, i) => `${s},${i % 2 ? 'odd' : 'even'}`)].join(
      '\n',
    );
    const bulk = await upload(tenantId, csv);
    expect(bulk).toMatchObject({ total: 200, accepted: 200, refused: [] });
    expect(bulk.identities).toHaveLength(200);
    for (const identity of bulk.identities) expect(identity.secret).toMatch(/^dpl_/);

    const done = await untilSubmitted(tenantId, bulk.bulkId);
    expect(done.counts).toMatchObject({ pending: 0, registered: 200, started: 0, submitted: 200 });
    expect(done.counts.awaitingActivation).toBe(200);
    expect(done.rows).toHaveLength(200);
    for (const row of done.rows)
      expect(row).toMatchObject({
        status: 'REGISTERED',
        reason: null,
        provisioningStatus: 'AWAITING_ACTIVATION',
        provisioningReason: 'the device never connected',
      });
    const [tags] = await stack.database.sql`
      select count(*)::int as n from device_twins
      where tenant_id = ${tenantId} and tags = array['odd']::text[]`;
    expect(tags!.n).toBe(100);

    // No workflow per row: neither a provisioning nor a twin.
    expect(await exists(`provision:${tenantId}:B-7`)).toBe(false);
    expect(await exists(`device:${tenantId}:B-7`)).toBe(false);
    expect(await listed('provisionDevice', `provision:${tenantId}:`)).toEqual([]);
    expect(await listed('deviceTwin', `device:${tenantId}:`)).toEqual([]);

    // A device connects with the secret from the answer: its twin starts on the activation
    // notice and activates it.
    const secret = bulk.identities.find((i: any) => i.serial === 'B-3').secret;
    const device = await helloDevice(stack.gatewayUrl, {
      tenantId,
      deviceId: 'B-3',
      token: secret,
    });
    await eventually(
      async () => ((await lifecycleOf(tenantId, 'B-3')) === 'active' ? true : undefined),
      30_000,
    );
    device.close();
    expect(await exists(`device:${tenantId}:B-3`)).toBe(true);
    const after = await bulkOf(tenantId, bulk.bulkId);
    expect(after.counts).toMatchObject({ active: 1, awaitingActivation: 199 });
    expect(after.rows[3]).toMatchObject({ serial: 'B-3', provisioningStatus: 'ACTIVE' });

    // Shown once: only hashes reached PostgreSQL, and none remain on the rows; the same file
    // again issues nothing.
    const stored = await stack.database.sql`
      select secret_hash, request::text as request from bulk_provisioning_rows
      where tenant_id = ${tenantId}`;
    expect(stored.every((r) => r.secret_hash === null)).toBe(true);
    expect(JSON.stringify(stored)).not.toContain(secret);
    const again = await upload(tenantId, csv);
    expect(again).toMatchObject({ accepted: 0, identities: [] });
    expect(again.refused[0].reason).toBe(
      'device B-0 is already registered (provisioned): nothing was issued',
    );
  }, 180_000);

  it('a row that expects firmware still starts its own provisioning; the others are registered', async () => {
    const tenantId = uniqueTenant('bpm');
    const csv = ['serial,expectFirmware', 'M-1,', 'M-2,2.0.0', 'M-3,'].join('\n');
    const bulk = await upload(tenantId, csv);
    const done = await untilSubmitted(tenantId, bulk.bulkId);
    expect(done.rows.map((r: any) => [r.serial, r.status])).toEqual([
      ['M-1', 'REGISTERED'],
      ['M-2', 'STARTED'],
      ['M-3', 'REGISTERED'],
    ]);
    expect(await exists(`provision:${tenantId}:M-2`)).toBe(true);
    expect(await exists(`provision:${tenantId}:M-1`)).toBe(false);
  }, 180_000);

  it('API mutations on a registered device whose twin does not run start its twin; an unknown device is still not found', async () => {
    const tenantId = uniqueTenant('bpl');
    const bulk = await upload(tenantId, ['serial', 'L-1', 'L-2', 'L-3', 'L-4'].join('\n'));
    await untilSubmitted(tenantId, bulk.bulkId);
    for (const s of ['L-1', 'L-2', 'L-3', 'L-4'])
      expect(await exists(`device:${tenantId}:${s}`)).toBe(false);
    const ok = async (query: string, i: Record<string, unknown>) => {
      const res = await graphql(stack.apiUrl, query, { i: { tenantId, ...i } });
      expect(res.errors).toBeUndefined();
      return res.data;
    };

    const TRANSITION = `mutation ($i: TransitionDeviceInput!) { transitionDevice(input: $i) { version device { lifecycle { state } } } }`;
    await ok(TRANSITION, { deviceId: 'L-1', to: 'ACTIVE', reason: 'installed' });
    const maintenance = await ok(TRANSITION, {
      deviceId: 'L-1',
      to: 'MAINTENANCE',
      reason: 'inspection',
    });
    expect(maintenance.transitionDevice.device.lifecycle.state).toBe('MAINTENANCE');
    expect(await lifecycleOf(tenantId, 'L-1')).toBe('maintenance');

    const tagged = await ok(
      'mutation ($i: SetDeviceTagsInput!) { setDeviceTags(input: $i) { device { tags } } }',
      { deviceId: 'L-2', tags: ['north', 'batch-9'] },
    );
    expect(tagged.setDeviceTags.device.tags).toEqual(['batch-9', 'north']);

    const sent = await ok(
      'mutation ($i: SendCommandInput!) { sendCommand(input: $i) { commandId } }',
      { deviceId: 'L-3', name: 'reboot', commandId: 'cmd-1' },
    );
    expect(sent.sendCommand.commandId).toBe('cmd-1');
    const [queued] = await stack.database.sql`
      select state->'commands'->0->>'id' as id from device_twins
      where tenant_id = ${tenantId} and device_id = 'L-3'`;
    expect(queued!.id).toBe('cmd-1');

    await ok('mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { __typename } }', {
      customerId: 'c1',
      name: 'C',
    });
    await ok('mutation ($i: CreateSiteInput!) { createSite(input: $i) { __typename } }', {
      siteId: 's1',
      customerId: 'c1',
      name: 'S',
    });
    await ok('mutation ($i: CreateAssetInput!) { createAsset(input: $i) { __typename } }', {
      assetId: 'a1',
      siteId: 's1',
      name: 'A',
    });
    await ok('mutation ($i: BindDeviceInput!) { bindDevice(input: $i) { __typename } }', {
      assetId: 'a1',
      deviceId: 'L-4',
    });
    const [bound] = await stack.database.sql`
      select asset_id from device_twins where tenant_id = ${tenantId} and device_id = 'L-4'`;
    expect(bound!.asset_id).toBe('a1');

    // Each mutation started its twin.
    for (const s of ['L-1', 'L-2', 'L-3', 'L-4'])
      expect(await exists(`device:${tenantId}:${s}`)).toBe(true);

    // A device with no record: not found, and no twin is started for it.
    const res = await graphql(
      stack.apiUrl,
      'mutation ($i: SetDeviceTagsInput!) { setDeviceTags(input: $i) { version } }',
      { i: { tenantId, deviceId: 'NOPE', tags: ['x'] } },
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('twin:device.not-found');
    expect(await exists(`device:${tenantId}:NOPE`)).toBe(false);
  }, 180_000);
});
