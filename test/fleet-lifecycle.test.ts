import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestDevice } from './support/device-client';
import { eventually } from './support/graphql';
import { startTestStack, type TestStack } from './support/stack';
import { TwinGraph } from './support/twin-graph';

/**
 * Retirement and replacement as workflows, through the real API, Temporal and PostgreSQL,
 * with native JSON devices on the real gateway.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const PROVISION = `mutation ($i: ProvisionDeviceInput!) {
  provisionDevice(input: $i) { status secret } }`;
const RETIRE = `mutation ($i: RetireDeviceInput!) {
  retireDevice(input: $i) { workflowId retired reason unboundFrom routing } }`;
const REPLACE = `mutation ($i: ReplaceDeviceInput!) {
  replaceDevice(input: $i) { workflowId created status reason newDeviceId assetId secret claimToken } }`;
const DEVICE = `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) {
  lifecycle { state actor reason } asset { assetId } desired tags
  commands { id name status } } }`;
const ASSET = `query ($t: ID!, $a: ID!) { asset(tenantId: $t, assetId: $a) {
  device { deviceId } bindingHistory { deviceId from to boundReason unboundBy unboundReason } } }`;
const SEND = `mutation ($i: SendCommandInput!) { sendCommand(input: $i) { commandId } }`;
const DESIRE = `mutation ($i: UpdateDesiredInput!) { updateDesired(input: $i) { shadowVersion } }`;

/** A tenant with one asset and an active device installed in it. */
async function installed(model = 'wb-1') {
  const g = new TwinGraph(stack);
  await g.customer('c1');
  await g.site('s1', 'c1');
  await g.asset('bay-1', 's1');
  const { provisionDevice } = await g.ok(PROVISION, {
    i: { tenantId: g.tenantId, serial: 'OLD-1', model, assetId: 'bay-1' },
  });
  const device = await g.connect('OLD-1', provisionDevice.secret);
  await eventually(async () => {
    const { device: d } = await g.ok(DEVICE, { d: 'OLD-1' });
    return d.lifecycle.state === 'ACTIVE' && d.asset?.assetId === 'bay-1' ? d : undefined;
  });
  return { g, device, token: provisionDevice.secret as string };
}

/** The answer to a hello with these credentials. */
async function hello(g: TwinGraph, deviceId: string, token: string) {
  const device = await TestDevice.connect(stack.gatewayUrl);
  device.send({ type: 'hello', seq: 1, tenant: g.tenantId, device: deviceId, token });
  const answer = await device.next((m) => m.type === 'welcome' || m.type === 'error');
  device.close();
  return answer;
}

describe('retirement', () => {
  it('revokes credentials, closes the connection, leaves the asset and keeps the history', async () => {
    const { g, device, token } = await installed();
    const closed = device.closed();
    const { retireDevice } = await g.ok(RETIRE, {
      i: { tenantId: g.tenantId, deviceId: 'OLD-1', reason: 'end of life' },
    });
    expect(retireDevice).toMatchObject({
      workflowId: `retire:${g.tenantId}:OLD-1`,
      retired: true,
      reason: null,
      unboundFrom: 'bay-1',
    });
    expect(await closed).toBe(4403);
    expect(await hello(g, 'OLD-1', token)).toMatchObject({
      type: 'error',
      code: 'gateway:auth.refused',
    });
    const { device: twin } = await g.ok(DEVICE, { d: 'OLD-1' });
    expect(twin.lifecycle).toMatchObject({ state: 'RETIRED', reason: 'end of life' });
    expect(twin.asset).toBeNull();
    const { asset } = await g.ok(ASSET, { a: 'bay-1' });
    expect(asset.device).toBeNull();
    expect(asset.bindingHistory).toHaveLength(1);
    expect(asset.bindingHistory[0]).toMatchObject({
      deviceId: 'OLD-1',
      boundReason: 'provisioned',
      unboundReason: 'retired: end of life',
    });
    expect(asset.bindingHistory[0].to).not.toBeNull();
    expect(asset.bindingHistory[0].unboundBy).toEqual(expect.any(String));

    // Retiring again changes nothing and says so plainly; an unknown device is refused.
    const again = await g.ok(RETIRE, {
      i: { tenantId: g.tenantId, deviceId: 'OLD-1', reason: 'twice' },
    });
    expect(again.retireDevice).toMatchObject({ retired: true, unboundFrom: null });
    const unknown = await g.ok(RETIRE, {
      i: { tenantId: g.tenantId, deviceId: 'NOPE', reason: 'x' },
    });
    expect(unknown.retireDevice).toMatchObject({
      retired: false,
      reason: 'there is no device NOPE',
    });
  });
});

describe('replacement', () => {
  it('swaps the device in its asset: configuration copied, commands moved, history continuous', async () => {
    const { g, device, token } = await installed();
    await g.ok(DESIRE, {
      i: { tenantId: g.tenantId, deviceId: 'OLD-1', patch: { config: { interval: 30 } } },
    });
    device.close();
    await eventually(async () => {
      const { device: d } = await g.ok(
        `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) { connectivity { status } } }`,
        { d: 'OLD-1' },
      );
      return d.connectivity.status !== 'ONLINE' ? d : undefined;
    }, 30_000);
    // A command for the old device waits: it is offline.
    await g.ok(SEND, {
      i: {
        tenantId: g.tenantId,
        deviceId: 'OLD-1',
        name: 'calibrate',
        params: { level: 2 },
        ttlSeconds: 3600,
        commandId: 'cal-1',
      },
    });

    const { replaceDevice } = await g.ok(REPLACE, {
      i: { tenantId: g.tenantId, deviceId: 'OLD-1', reason: 'broken display', newSerial: 'NEW-1' },
    });
    expect(replaceDevice).toMatchObject({
      created: true,
      status: 'AWAITING_ACTIVATION',
      newDeviceId: 'NEW-1',
      assetId: 'bay-1',
    });
    const { device: old } = await g.ok(DEVICE, { d: 'OLD-1' });
    expect(old.lifecycle).toMatchObject({ state: 'REPLACED', reason: 'broken display' });
    expect(await hello(g, 'OLD-1', token)).toMatchObject({ code: 'gateway:auth.refused' });

    // The new device is in the asset with the old one's configuration before it ever connects
    // (its provisioning, a child workflow, is under way).
    const fresh = await eventually(async () => {
      const { provisioning } = await g.ok(
        `query ($t: ID!, $s: ID!) { provisioning(tenantId: $t, serial: $s) { status } }`,
        { s: 'NEW-1' },
      );
      return provisioning?.status === 'AWAITING_ACTIVATION'
        ? (await g.ok(DEVICE, { d: 'NEW-1' })).device
        : undefined;
    });
    expect(fresh).toMatchObject({
      lifecycle: { state: 'PROVISIONED' },
      asset: { assetId: 'bay-1' },
      desired: { config: { interval: 30 } },
    });
    const installedNew = await g.connect('NEW-1', replaceDevice.secret);
    const done = await eventually(async () => {
      const handle = stack.temporal.workflow.getHandle(replaceDevice.workflowId);
      return (await handle.describe()).status.name === 'COMPLETED' ? handle.result() : undefined;
    }, 30_000);
    expect(done).toMatchObject({
      status: 'completed',
      movedCommands: ['cal-1'],
      expiredCommands: [],
      provisioning: { status: 'active' },
    });
    // The command reached the new device, which is online.
    const command = await installedNew.next((m) => m.type === 'command');
    expect(command).toMatchObject({ name: 'calibrate', params: { level: 2 } });
    const { device: moved } = await g.ok(DEVICE, { d: 'NEW-1' });
    expect(moved.commands.map((c: { id: string }) => c.id)).toEqual(['cal-1']);
    installedNew.close();

    const { asset } = await g.ok(ASSET, { a: 'bay-1' });
    expect(asset.device).toEqual({ deviceId: 'NEW-1' });
    expect(asset.bindingHistory.map((p: { deviceId: string }) => p.deviceId)).toEqual([
      'OLD-1',
      'NEW-1',
    ]);
    const [was, now] = asset.bindingHistory;
    // Why each period began and ended, as the replacement said.
    expect(was).toMatchObject({
      boundReason: 'provisioned',
      unboundReason: 'replaced by NEW-1: broken display',
    });
    expect(now).toMatchObject({ boundReason: 'replaces OLD-1', unboundReason: null });
    expect(now.to).toBeNull();
    expect(Date.parse(now.from)).toBeGreaterThanOrEqual(Date.parse(was.to));
  });

  it('refuses a model that is not compatible and leaves the old device as it was', async () => {
    const { g } = await installed('wb-1');
    const refused = await g.ok(REPLACE, {
      i: {
        tenantId: g.tenantId,
        deviceId: 'OLD-1',
        reason: 'upgrade',
        newSerial: 'M-1',
        model: 'meter-9',
      },
    });
    expect(refused.replaceDevice).toMatchObject({
      status: 'REFUSED',
      secret: null,
      reason:
        'a meter-9 cannot replace a wb-1: there is no profile of meter-9 that lists wb-1 under "replaces"',
    });
    const { device: old } = await g.ok(DEVICE, { d: 'OLD-1' });
    expect(old.lifecycle.state).toBe('ACTIVE');
  });
});
