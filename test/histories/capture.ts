// `npm run histories:capture`: runs twin scenarios on a fresh Temporal dev server and writes
// their workflow histories here, for test/replay.test.ts. Re-capture only on purpose: a
// history that no longer replays means running twins would break.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { startScratchInfrastructure } from '../../deploy/embedded/infrastructure';
import { assetWorkflowId, deviceWorkflowId } from '../../twins/ids';
import { sendToDeviceTwin } from '../../workflows/device-twin/client';
import { webhookWorkflowId } from '../../workflows/webhook/messages';
import { siteLoadWorkflowId } from '../../workflows/site-load/messages';
import { bootPayload, connectStation } from '../support/ocpp-station';
import { TestDevice } from '../support/device-client';
import { eventually, graphql } from '../support/graphql';
import { registerDevice, startStack, type TestStack } from '../support/stack';
import { startWebhookReceiver } from '../support/webhook-receiver';

const OUT = path.dirname(fileURLToPath(import.meta.url));
const tenantId = 'capture';

const register = (stack: TestStack, deviceId: string) =>
  registerDevice(stack, tenantId, deviceId, 'wallbox-x');

async function online(stack: TestStack, deviceId: string, token: string) {
  const device = await TestDevice.connect(stack.gatewayUrl);
  device.send({
    type: 'hello',
    seq: 1,
    tenant: tenantId,
    device: deviceId,
    token,
    firmware: '1.0.0',
  });
  await device.next((m) => m.type === 'welcome');
  return device;
}

/** A scenario returns the workflow id (and run) to capture. */
type Capture = { workflowId: string; runId?: string };

const scenarios: Record<string, (stack: TestStack) => Promise<Capture>> = {
  async 'device-lifecycle'(stack) {
    const token = await register(stack, 'lifecycle');
    const device = await online(stack, 'lifecycle', token);
    device.send({ type: 'report', seq: 2, state: { power: { kw: 7.2 }, status: 'Charging' } });
    await device.next((m) => m.seq === 2);
    const mutate = (q: string, i: object) =>
      graphql(stack.apiUrl, q, { i: { tenantId, deviceId: 'lifecycle', ...i } });
    await mutate(`mutation ($i: UpdateDesiredInput!) { updateDesired(input: $i) { version } }`, {
      patch: { maxKw: 11 },
    });
    await device.next((m) => m.type === 'desired');
    device.send({ type: 'report', seq: 3, state: { maxKw: 11 } });
    await device.next((m) => m.seq === 3);
    const transition = `mutation ($i: TransitionDeviceInput!) { transitionDevice(input: $i) { version } }`;
    await mutate(transition, { to: 'MAINTENANCE', reason: 'capture' });
    await mutate(transition, { to: 'PROVISIONED', reason: 'refused' });
    await mutate(transition, { to: 'ACTIVE', reason: 'capture' });
    await mutate(transition, { to: 'RETIRED', reason: 'capture' });
    await device.closed();
    return { workflowId: deviceWorkflowId({ tenantId, deviceId: 'lifecycle' }) };
  },
  async 'device-grace'(stack) {
    const token = await register(stack, 'grace');
    (await online(stack, 'grace', token)).close();
    await new Promise((r) => setTimeout(r, 300));
    const back = await online(stack, 'grace', token);
    back.close();
    await eventually(async () => {
      const q = await graphql(
        stack.apiUrl,
        `{ device(tenantId: "${tenantId}", deviceId: "grace") { connectivity { status } } }`,
      );
      return q.data.device.connectivity.status === 'OFFLINE' ? true : undefined;
    });
    return { workflowId: deviceWorkflowId({ tenantId, deviceId: 'grace' }) };
  },
  async 'device-continue-as-new'(stack) {
    const key = { tenantId, deviceId: 'burst' };
    const at = () => new Date().toISOString();
    await sendToDeviceTwin(stack.temporal, key, {
      sender: 'capture',
      batch: 1,
      commands: [
        { type: 'connect', at: at(), sessionId: 's', gatewayNode: stack.gatewayNodeId, seq: 1 },
      ],
    });
    const firstRun = (await stack.temporal.workflow.getHandle(deviceWorkflowId(key)).describe())
      .runId;
    for (let i = 2; i < 300; i++) {
      const commands = [
        { type: 'report', at: at(), sessionId: 's', seq: i, state: { n: i } },
      ] as const;
      await sendToDeviceTwin(stack.temporal, key, { sender: 'capture', batch: i, commands });
    }
    await eventually(
      async () =>
        (await stack.temporal.workflow.getHandle(deviceWorkflowId(key)).describe()).runId !==
        firstRun
          ? true
          : undefined,
      60_000,
    );
    return { workflowId: deviceWorkflowId(key), runId: firstRun };
  },
  async 'asset-binding'(stack) {
    const run = (q: string, i: object) => graphql(stack.apiUrl, q, { i: { tenantId, ...i } });
    await run(
      `mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }`,
      { customerId: 'c1', name: 'Customer' },
    );
    await run(`mutation ($i: CreateSiteInput!) { createSite(input: $i) { site { id } } }`, {
      siteId: 's1',
      customerId: 'c1',
      name: 'Site',
    });
    await run(`mutation ($i: CreateAssetInput!) { createAsset(input: $i) { version } }`, {
      assetId: 'bay-1',
      siteId: 's1',
      name: 'Bay 1',
    });
    const tokenA = await register(stack, 'bay-device-a');
    await register(stack, 'bay-device-b');
    const bind = `mutation ($i: BindDeviceInput!) { bindDevice(input: $i) { version } }`;
    await run(bind, { assetId: 'bay-1', deviceId: 'bay-device-a' });
    const a = await online(stack, 'bay-device-a', tokenA);
    a.close();
    await run(`mutation ($i: UnbindDeviceInput!) { unbindDevice(input: $i) { version } }`, {
      assetId: 'bay-1',
    });
    await run(bind, { assetId: 'bay-1', deviceId: 'bay-device-b' });
    await run(bind, { assetId: 'bay-1', deviceId: 'bay-device-a' }); // refused: the asset has a device
    return { workflowId: assetWorkflowId({ tenantId, assetId: 'bay-1' }) };
  },
  async 'webhook-delivery'(stack) {
    // A refused attempt, a dead letter, delivery going on, a replay, and idle again.
    let failures = 0;
    let broken = true;
    const receiver = await startWebhookReceiver((e) =>
      failures++ < 1 || (broken && e.subject === 'hook-bad') ? 500 : 200,
    );
    const q = (query: string, variables: Record<string, unknown>) =>
      graphql(stack.apiUrl, query, variables);
    const hook = `query { webhook(tenantId: "${tenantId}", webhookId: "partner") {
      lag deadLetters { nodes { cursor } } } }`;
    await q(`mutation ($i: RegisterWebhookInput!) { registerWebhook(input: $i) { secret } }`, {
      i: { tenantId, id: 'partner', url: receiver.url, maxAttempts: 2 },
    });
    await register(stack, 'hook-good');
    await register(stack, 'hook-bad');
    const dead = await eventually(async () => {
      const w = (await q(hook, {})).data.webhook;
      return w.lag === 0 && w.deadLetters.nodes.length > 0
        ? w.deadLetters.nodes[0].cursor
        : undefined;
    }, 60_000);
    broken = false;
    await q(
      `mutation ($c: String!) { replayWebhook(tenantId: "${tenantId}", webhookId: "partner",
      fromCursor: $c) { version } }`,
      { c: dead },
    );
    await eventually(
      async () =>
        (await q(hook, {})).data.webhook.lag === 0 &&
        receiver.accepted().some((e) => e.subject === 'hook-bad')
          ? true
          : undefined,
      60_000,
    );
    await receiver.stop();
    return { workflowId: webhookWorkflowId(tenantId, 'partner') };
  },
  // The device record design (docs/architecture.md): the twin commits with a local activity,
  // hears the ingest path through notices, and continues as new after 500 events.
  async 'record-lifecycle'(stack) {
    const token = await register(stack, 'record');
    const device = await online(stack, 'record', token);
    const mutate = (q: string, i: object) =>
      graphql(stack.apiUrl, q, { i: { tenantId, deviceId: 'record', ...i } });
    const state = async () =>
      (
        await graphql(
          stack.apiUrl,
          `{ device(tenantId: "${tenantId}", deviceId: "record") { lifecycle { state } } }`,
        )
      ).data.device.lifecycle.state;
    await eventually(async () => ((await state()) === 'ACTIVE' ? true : undefined));
    device.send({ type: 'report', seq: 2, state: { status: 'Charging' } });
    await device.next((m) => m.seq === 2);
    await mutate(`mutation ($i: UpdateDesiredInput!) { updateDesired(input: $i) { version } }`, {
      patch: { maxKw: 11 },
    });
    await device.next((m) => m.type === 'desired');
    await mutate(`mutation ($i: SendCommandInput!) { sendCommand(input: $i) { commandId } }`, {
      name: 'blink',
      params: {},
    });
    const command = await device.next((m) => m.type === 'command');
    device.send({ type: 'command-result', seq: 3, id: command.id, status: 'accepted' });
    await device.next((m) => m.seq === 3);
    const transition = `mutation ($i: TransitionDeviceInput!) { transitionDevice(input: $i) { version } }`;
    await mutate(transition, { to: 'MAINTENANCE', reason: 'capture' });
    await mutate(transition, { to: 'PROVISIONED', reason: 'refused' });
    await mutate(transition, { to: 'RETIRED', reason: 'capture' });
    await device.closed();
    return { workflowId: deviceWorkflowId({ tenantId, deviceId: 'record' }) };
  },
  async 'record-continue-as-new'(stack) {
    const key = { tenantId, deviceId: 'record-burst' };
    const at = () => new Date().toISOString();
    await sendToDeviceTwin(stack.temporal, key, {
      sender: 'capture',
      batch: 1,
      commands: [
        { type: 'connect', at: at(), sessionId: 's', gatewayNode: stack.gatewayNodeId, seq: 1 },
      ],
    });
    const handle = stack.temporal.workflow.getHandle(deviceWorkflowId(key));
    const firstRun = (await handle.describe()).runId;
    // Signals as fast as Temporal takes them: batches while the commit runs, retried commits.
    for (let i = 2; i < 400; i++) {
      const commands = [
        { type: 'report', at: at(), sessionId: 's', seq: i, state: { n: i } },
      ] as const;
      await sendToDeviceTwin(stack.temporal, key, { sender: 'capture', batch: i, commands });
    }
    await eventually(
      async () => ((await handle.describe()).runId !== firstRun ? true : undefined),
      60_000,
    );
    return { workflowId: deviceWorkflowId(key), runId: firstRun };
  },
  async 'rollout-health-gate'(stack) {
    // A rollout of two devices with a health gate: the canary, its bake (a timer) and the
    // judged gate (local activities), then the last wave.
    const hello = async (deviceId: string, token: string, firmware: string) => {
      const device = await TestDevice.connect(stack.gatewayUrl);
      device.send({ type: 'hello', seq: 1, tenant: tenantId, device: deviceId, token, firmware });
      await device.next((m) => m.type === 'welcome');
      return device;
    };
    for (const deviceId of ['gate-a', 'gate-b']) {
      const token = await registerDevice(stack, tenantId, deviceId, 'wb-gate');
      const device = await hello(deviceId, token, '1.0');
      void (async () => {
        const command = await device.next((m) => m.type === 'command', 120_000);
        device.send({ type: 'command-result', seq: 2, id: command.id, status: 'accepted' });
        device.close();
        await hello(deviceId, token, (command.params as { version: string }).version);
      })();
    }
    const start = `mutation ($t: ID!, $c: RolloutConfigInput!) { startRollout(tenantId: $t, rollout: $c) { workflowId } }`;
    // A rollout reads the device records: both active first.
    const lifecycleOf = `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) { lifecycle { state } } }`;
    for (const deviceId of ['gate-a', 'gate-b'])
      await eventually(async () => {
        const { data } = await graphql<{ device: { lifecycle: { state: string } } | null }>(
          stack.apiUrl,
          lifecycleOf,
          { t: tenantId, d: deviceId },
        );
        return data?.device?.lifecycle.state === 'ACTIVE' ? true : undefined;
      });
    const started = await graphql<{ startRollout: { workflowId: string } }>(stack.apiUrl, start, {
      t: tenantId,
      c: {
        id: 'gated',
        firmware: { version: '2.0', url: 'https://firmware.example.com/wb-gate/2.0.bin' },
        target: { models: ['wb-gate'] },
        canary: { devices: 1 },
        waves: { mode: 'constant', size: 1 },
        perDevice: { timeoutS: 60, retries: 0 },
        healthGate: { bakeSeconds: 2 },
      },
    });
    const workflowId = started.data!.startRollout.workflowId;
    await stack.temporal.workflow.getHandle(workflowId).result();
    return { workflowId };
  },
  async 'site-load'(stack) {
    // A site with a limit, one OCPP 1.6 station: a session starts and gets its profile, stops,
    // the limit changes, the station drops and its (empty) share is released after the delay.
    const ok = async (q: string, i: object) => {
      const res = await graphql(stack.apiUrl, q, { i: { tenantId, ...i } });
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data;
    };
    await ok(`mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { __typename } }`, {
      customerId: 'load-c',
      name: 'Customer',
    });
    await ok(`mutation ($i: CreateSiteInput!) { createSite(input: $i) { __typename } }`, {
      siteId: 'load-site',
      customerId: 'load-c',
      name: 'Depot',
    });
    await ok(`mutation ($i: CreateAssetInput!) { createAsset(input: $i) { __typename } }`, {
      assetId: 'load-bay',
      siteId: 'load-site',
      name: 'Bay',
    });
    const token = await register(stack, 'load-station');
    await ok(`mutation ($i: BindDeviceInput!) { bindDevice(input: $i) { __typename } }`, {
      assetId: 'load-bay',
      deviceId: 'load-station',
    });
    const SET = `mutation ($i: SetSiteLoadLimitInput!) { setSiteLoadLimit(input: $i) { limit } }`;
    await ok(SET, { siteId: 'load-site', limit: 22000, unit: 'W', releaseDelaySeconds: 1 });
    const cp = await connectStation(stack.ocppUrl, 'ocpp1.6', 'load-station', token, tenantId);
    const limits: number[] = [];
    cp.handle(({ method, params }) => {
      if (method === 'SetChargingProfile')
        limits.push(params.csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0].limit);
      return { status: 'Accepted' };
    });
    await cp.call('BootNotification', bootPayload('ocpp1.6'));
    await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: 'TAG',
      meterStart: 0,
      timestamp: new Date().toISOString(),
    });
    await eventually(async () => (limits.includes(22000) ? true : undefined), 60_000);
    await ok(SET, { siteId: 'load-site', limit: 11000, unit: 'W', releaseDelaySeconds: 1 });
    await eventually(async () => (limits.includes(11000) ? true : undefined), 60_000);
    await cp.close();
    const SITE = `query ($t: ID!, $s: ID!) { siteLoad(tenantId: $t, siteId: $s) { shares { held } history { reason } } }`;
    // Held while offline, then released: no share left.
    await eventually(async () => {
      const res = await graphql(stack.apiUrl, SITE, { t: tenantId, s: 'load-site' });
      const load = res.data?.siteLoad;
      return load && load.history.length >= 4 && load.shares.length === 0 ? true : undefined;
    }, 60_000);
    return { workflowId: siteLoadWorkflowId(tenantId, 'load-site') };
  },
  async 'site-load-tx-default'(stack) {
    // A site with a limit and a minimum per session, one OCPP 1.6 station with two connectors:
    // it gets the TxDefaultProfile, a session starts and gets its TxProfile, the limit is
    // removed and both are cleared; the manager ends.
    const ok = async (q: string, v: Record<string, unknown>) => {
      const res = await graphql(stack.apiUrl, q, v);
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data;
    };
    const i = (x: object) => ({ i: { tenantId, ...x } });
    await ok(
      `mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { __typename } }`,
      i({ customerId: 'default-c', name: 'Customer' }),
    );
    await ok(
      `mutation ($i: CreateSiteInput!) { createSite(input: $i) { __typename } }`,
      i({ siteId: 'default-site', customerId: 'default-c', name: 'Depot' }),
    );
    await ok(
      `mutation ($i: CreateAssetInput!) { createAsset(input: $i) { __typename } }`,
      i({ assetId: 'default-bay', siteId: 'default-site', name: 'Bay' }),
    );
    const token = await register(stack, 'default-station');
    await ok(
      `mutation ($i: BindDeviceInput!) { bindDevice(input: $i) { __typename } }`,
      i({ assetId: 'default-bay', deviceId: 'default-station' }),
    );
    const cp = await connectStation(stack.ocppUrl, 'ocpp1.6', 'default-station', token, tenantId);
    const heard: string[] = [];
    cp.handle(({ method, params }) => {
      const p = params.csChargingProfiles;
      heard.push(
        p
          ? `${p.chargingProfilePurpose}:${p.chargingSchedule.chargingSchedulePeriod[0].limit}`
          : `${method}:${params.id}`,
      );
      return { status: 'Accepted' };
    });
    await cp.call('BootNotification', bootPayload('ocpp1.6'));
    for (const connectorId of [1, 2])
      await cp.call('StatusNotification', {
        connectorId,
        status: 'Available',
        errorCode: 'NoError',
      });
    await ok(
      `mutation ($i: SetSiteLoadLimitInput!) { setSiteLoadLimit(input: $i) { limit } }`,
      i({ siteId: 'default-site', limit: 22000, unit: 'W', minimumPerSession: 5000 }),
    );
    await eventually(
      async () => (heard.includes('TxDefaultProfile:5000') ? true : undefined),
      60_000,
    );
    await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: 'TAG',
      meterStart: 0,
      timestamp: new Date().toISOString(),
    });
    await eventually(async () => (heard.includes('TxProfile:17000') ? true : undefined), 60_000);
    await ok(
      `mutation ($t: ID!, $s: ID!) { removeSiteLoadLimit(tenantId: $t, siteId: $s) { limit } }`,
      { t: tenantId, s: 'default-site' },
    );
    await cp.close();
    const workflowId = siteLoadWorkflowId(tenantId, 'default-site');
    await stack.temporal.workflow.getHandle(workflowId).result();
    return { workflowId };
  },
  async 'device-bound'(_stack) {
    // The device side of the binding above: bind and unbind updates, status signals to the asset.
    return { workflowId: deviceWorkflowId({ tenantId, deviceId: 'bay-device-a' }) };
  },
};

const infra = await startScratchInfrastructure({
  temporalDynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 300 },
  log: (line) => console.log(line),
});
try {
  const stack = await startStack(
    { temporalAddress: infra.temporalAddress, databaseUrl: infra.databaseUrl },
    { offlineGraceMs: 1_000 },
  );
  try {
    // Only the scenarios named on the command line (all by default): keep older captures as they are.
    const wanted = process.argv.slice(2);
    for (const [name, scenario] of Object.entries(scenarios)) {
      if (wanted.length > 0 && !wanted.includes(name)) continue;
      const { workflowId, runId } = await scenario(stack);
      const history = await stack.temporal.workflow.getHandle(workflowId, runId).fetchHistory();
      writeFileSync(
        path.join(OUT, `${name}.json`),
        `${JSON.stringify({ workflowId, history: JSON.parse(historyToJSON(history)) })}\n`,
      );
      console.log(`captured ${name}: ${history.events?.length} events`);
    }
  } finally {
    await stack.stop();
  }
} finally {
  await infra.stop();
}
