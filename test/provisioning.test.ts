import { createHook } from 'node:async_hooks';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDevice } from '../db/device-claim';
import { verifyDoppelHmac } from '../outbound/signing';
import { TestDevice } from './support/device-client';
import { eventually, graphql } from './support/graphql';
import { helloDevice, startTestStack, uniqueTenant, type TestStack } from './support/stack';

/**
 * Provisioning through the real API, Temporal and PostgreSQL, with real device clients: a claim
 * token (native JSON and MQTT.js), credentials shown once, a refusing and an amending admission
 * hook, activation verified by outcome or failing with its reason.
 */
let stack: TestStack;
let mqttUrl: string;
const clients: MqttClient[] = [];
beforeAll(async () => {
  stack = await startTestStack();
  mqttUrl = stack.gatewayUrl.replace(/\/device$/, '/mqtt');
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
  await stack?.stop();
});

const PROVISION = `mutation ($i: ProvisionDeviceInput!) {
  provisionDevice(input: $i) { workflowId created status reason secret claimToken }
}`;
const PROVISIONING = `query ($t: ID!, $s: ID!) {
  provisioning(tenantId: $t, serial: $s) {
    serial status reason method requestedBy requestedAt claimedAt activatedAt workflowId
  }
}`;
const DEVICE = `query ($t: ID!, $d: ID!) {
  device(tenantId: $t, deviceId: $d) { lifecycle { state actor reason } tags desired }
}`;
const SET_HOOK = `mutation ($i: SetAdmissionHookInput!) { setAdmissionHook(input: $i) { url timeoutMs } }`;

async function provision(input: Record<string, unknown>) {
  const res = await graphql(stack.apiUrl, PROVISION, { i: input });
  expect(res.errors).toBeUndefined();
  return res.data.provisionDevice;
}

async function provisioningOf(tenantId: string, serial: string) {
  const res = await graphql(stack.apiUrl, PROVISIONING, { t: tenantId, s: serial });
  expect(res.errors).toBeUndefined();
  return res.data.provisioning;
}

const untilStatus = (tenantId: string, serial: string, status: string, timeoutMs = 30_000) =>
  eventually(async () => {
    const p = await provisioningOf(tenantId, serial);
    return p?.status === status ? p : undefined;
  }, timeoutMs);

async function deviceOf(tenantId: string, deviceId: string) {
  const res = await graphql(stack.apiUrl, DEVICE, { t: tenantId, d: deviceId });
  expect(res.errors).toBeUndefined();
  return res.data.device;
}

/** A JSON device's hello with a claim: the welcome (with its new token) or the error. */
async function claimJson(tenantId: string, serial: string, claim: string, extra = {}) {
  const device = await TestDevice.connect(stack.gatewayUrl);
  device.send({ type: 'hello', seq: 1, tenant: tenantId, device: serial, claim, ...extra });
  const answer = await device.next((m) => m.type === 'welcome' || m.type === 'error');
  return { device, answer };
}

/** A local admission hook that checks every signature and answers as told. */
async function admissionHook(secret: string, answer: (request: any) => unknown) {
  const seen: any[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const signed = verifyDoppelHmac(
        secret,
        Number(req.headers['x-doppel-timestamp']),
        body,
        String(req.headers['x-doppel-signature']),
      );
      const request = JSON.parse(body);
      seen.push({ signed, request });
      res.writeHead(signed ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(signed ? answer(request.request) : { error: 'bad signature' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admission`;
  return { url, seen, close: () => new Promise((r) => server.close(r)) };
}

describe('provisioning', () => {
  it('claims an identity over native JSON and becomes active only once the expected firmware and configuration are reported', async () => {
    const tenantId = uniqueTenant('pv');
    const serial = 'SN-1001';
    const started = await provision({
      tenantId,
      serial,
      model: 'wallbox-x',
      method: 'CLAIM',
      tags: ['batch-7'],
      desired: { config: { interval: 60 } },
      expect: { model: 'wallbox-x', firmware: '2.0.0', reported: { 'config.interval': 60 } },
      activationTimeoutS: 120,
    });
    expect(started).toMatchObject({
      created: true,
      status: 'AWAITING_ACTIVATION',
      secret: null,
      workflowId: `provision:${tenantId}:${serial}`,
    });
    expect(started.claimToken).toMatch(/^clm_/);
    // What activation still misses is recorded as the provisioning waits.
    await eventually(async () => {
      const p = await provisioningOf(tenantId, serial);
      return p.reason === 'the device never connected' ? p : undefined;
    });

    // A wrong claim is refused like an unknown device.
    const wrong = await claimJson(tenantId, serial, 'clm_not-the-right-claim-token');
    expect(wrong.answer).toMatchObject({ type: 'error', code: 'gateway:auth.claim-refused' });
    wrong.device.close();

    // The right claim: the device gets its own secret; old firmware keeps it provisioned.
    const first = await claimJson(tenantId, serial, started.claimToken, {
      model: 'wallbox-x',
      firmware: '1.9.0',
    });
    expect(first.answer).toMatchObject({ type: 'welcome' });
    const token = (first.answer.credentials as { token: string }).token;
    expect(token).toMatch(/^dpl_/);
    await eventually(async () => {
      const p = await provisioningOf(tenantId, serial);
      return p.reason?.includes('firmware 1.9.0 reported, 2.0.0 expected') ? p : undefined;
    });
    const waiting = await provisioningOf(tenantId, serial);
    expect(waiting.status).toBe('AWAITING_ACTIVATION');
    expect(waiting.claimedAt).not.toBeNull();
    expect((await deviceOf(tenantId, serial)).lifecycle.state).toBe('PROVISIONED');
    first.device.close();

    // Back with the new firmware and the desired configuration applied: activation verified.
    const device = await TestDevice.connect(stack.gatewayUrl);
    device.send({
      type: 'hello',
      seq: 1,
      tenant: tenantId,
      device: serial,
      token,
      firmware: '2.0.0',
      model: 'wallbox-x',
    });
    expect((await device.next((m) => m.type === 'welcome' || m.type === 'error')).type).toBe(
      'welcome',
    );
    device.send({ type: 'report', seq: 2, state: { config: { interval: 60 } } });
    expect(await device.next((m) => m.type === 'ack' || m.type === 'error')).toMatchObject({
      type: 'ack',
      seq: 2,
    });
    const active = await untilStatus(tenantId, serial, 'ACTIVE');
    expect(active).toMatchObject({ method: 'CLAIM', requestedBy: 'user:test-admin', reason: null });
    expect(Date.parse(active.activatedAt)).toBeGreaterThanOrEqual(Date.parse(active.claimedAt));
    const twin = await deviceOf(tenantId, serial);
    expect(twin.lifecycle).toMatchObject({ state: 'ACTIVE', reason: 'activation verified' });
    expect(twin.tags).toEqual(['batch-7']);
    expect(twin.desired).toEqual({ config: { interval: 60 } });
    device.close();

    // The claim was spent by the first claim; the issued secret goes on working.
    const again = await claimJson(tenantId, serial, started.claimToken);
    expect(again.answer).toMatchObject({ type: 'error', code: 'gateway:auth.claim-refused' });
    again.device.close();
    (await helloDevice(stack.gatewayUrl, { tenantId, deviceId: serial, token })).close();

    // Idempotent by serial: the same request again starts nothing and shows no secret.
    const repeated = await provision({ tenantId, serial, method: 'CLAIM' });
    expect(repeated).toMatchObject({ created: false, status: 'ACTIVE', claimToken: null });
  });

  it.each([4, 5] as const)(
    'claims an identity with MQTT.js (protocol level %i) and the token works from then on',
    async (version) => {
      const tenantId = uniqueTenant('pvm');
      const serial = `SN-M${version}`;
      const claimToken = `printed-on-the-box-${version}-0123456789`;
      const started = await provision({ tenantId, serial, method: 'CLAIM', claimToken });
      expect(started).toMatchObject({ created: true, claimToken, status: 'AWAITING_ACTIVATION' });
      const username = `${tenantId}/${serial}`;
      const client = mqtt.connect(mqttUrl, {
        protocolVersion: version,
        clientId: username,
        username,
        password: `claim:${claimToken}`,
        reconnectPeriod: 0,
      });
      clients.push(client);
      const token = await new Promise<string>((resolve, reject) => {
        client.once('error', reject);
        if (version === 5)
          client.once('connect', (connack) =>
            resolve(String(connack.properties?.userProperties?.['doppel-token'])),
          );
        else
          client.on('message', (topic, payload) => {
            if (topic === `doppel/${username}/credentials`)
              resolve(JSON.parse(String(payload)).token);
          });
      });
      expect(token).toMatch(/^dpl_/);
      // No expectations beyond a first connection: that verifies activation.
      await untilStatus(tenantId, serial, 'ACTIVE');
      await client.endAsync();
      const back = await mqtt.connectAsync(mqttUrl, {
        protocolVersion: version,
        clientId: username,
        username,
        password: token,
        reconnectPeriod: 0,
      });
      clients.push(back);
      expect(back.connected).toBe(true);
      await back.endAsync();
      // A claim after activation is refused.
      await expect(
        mqtt.connectAsync(mqttUrl, {
          protocolVersion: version,
          clientId: username,
          username,
          password: `claim:${claimToken}`,
          reconnectPeriod: 0,
        }),
      ).rejects.toThrow(/[Nn]ot authorized/);
    },
  );

  it('shows generated credentials once, and fails with the reason when activation is not verified in time', async () => {
    const tenantId = uniqueTenant('pvc');
    const started = await provision({
      tenantId,
      serial: 'SN-2001',
      expect: { firmware: '3.1.0' },
      activationTimeoutS: 15,
    });
    expect(started).toMatchObject({ created: true, status: 'AWAITING_ACTIVATION' });
    const device = await helloDevice(stack.gatewayUrl, {
      tenantId,
      deviceId: 'SN-2001',
      token: started.secret,
    });
    const failed = await untilStatus(tenantId, 'SN-2001', 'FAILED');
    expect(failed.reason).toBe(
      'activation not verified within 15 s: firmware (none) reported, 3.1.0 expected',
    );
    expect((await deviceOf(tenantId, 'SN-2001')).lifecycle.state).toBe('PROVISIONED');
    device.close();

    const silent = await provision({ tenantId, serial: 'SN-2002', activationTimeoutS: 5 });
    expect(silent.secret).toMatch(/^dpl_/);
    expect((await untilStatus(tenantId, 'SN-2002', 'FAILED')).reason).toBe(
      'activation not verified within 5 s: the device never connected',
    );
  });

  it('lets a signed admission hook refuse a request (nothing is created) or amend it', async () => {
    const tenantId = uniqueTenant('pvh');
    const secret = 'admission-hook-secret-0123';
    const hook = await admissionHook(secret, (request) =>
      request.serial.startsWith('SN-BAD')
        ? { allow: false, reason: `serial ${request.serial} is not on the manufacturing list` }
        : { allow: true, amend: { tags: ['admitted-by-hook'], model: 'from-hook' } },
    );
    try {
      const set = await graphql(stack.apiUrl, SET_HOOK, {
        i: { tenantId, url: hook.url, secret, timeoutMs: 2000 },
      });
      expect(set.errors).toBeUndefined();
      const refused = await provision({ tenantId, serial: 'SN-BAD-1' });
      expect(refused).toMatchObject({
        created: true,
        status: 'REFUSED',
        reason: 'serial SN-BAD-1 is not on the manufacturing list',
        secret: null,
      });
      expect(await deviceOf(tenantId, 'SN-BAD-1')).toBeNull();
      expect(await provisioningOf(tenantId, 'SN-BAD-1')).toMatchObject({ status: 'REFUSED' });

      const amended = await provision({ tenantId, serial: 'SN-OK-1', tags: ['mine'] });
      expect(amended.status).toBe('AWAITING_ACTIVATION');
      const twin = await deviceOf(tenantId, 'SN-OK-1');
      expect(twin.tags).toEqual(['admitted-by-hook']);
      expect(hook.seen.map((s) => [s.signed, s.request.request.serial])).toEqual([
        [true, 'SN-BAD-1'],
        [true, 'SN-OK-1'],
      ]);
      expect(hook.seen[0].request).toMatchObject({ tenantId, actor: 'user:test-admin' });
    } finally {
      await hook.close();
    }
  });

  it('refuses an invalid request with the field named', async () => {
    const res = await graphql(stack.apiUrl, PROVISION, {
      i: {
        tenantId: uniqueTenant('pvi'),
        serial: 'SN-1',
        method: 'CREDENTIALS',
        claimToken: 'x'.repeat(20),
      },
    });
    expect(res.errors?.[0]?.extensions?.code).toBe('provisioning:request.invalid');
    expect(res.errors?.[0]?.message).toContain('claimToken');
  });
});

describe('claim tokens, hardened', () => {
  const claimToken = () => `clm_${Math.random().toString(36).slice(2)}Zk3-q_9Lr0TbWx7Yc2Vn4s`;
  const answerOf = async (tenantId: string, serial: string, claim: string) => {
    const { device, answer } = await claimJson(tenantId, serial, claim);
    device.close();
    return answer;
  };

  it('spends a claim token on its first successful use, before activation', async () => {
    const tenantId = uniqueTenant('pvs');
    const serial = 'SN-S1';
    const token = claimToken();
    await provision({
      tenantId,
      serial,
      method: 'CLAIM',
      claimToken: token,
      expect: { firmware: '9.9' },
    });
    expect(await answerOf(tenantId, serial, token)).toMatchObject({ type: 'welcome' });
    expect((await provisioningOf(tenantId, serial)).status).toBe('AWAITING_ACTIVATION');
    // Not active yet, and still spent: a token read off the box later opens nothing.
    expect(await answerOf(tenantId, serial, token)).toMatchObject({
      type: 'error',
      code: 'gateway:auth.claim-refused',
    });
  });

  it('locks a serial after 5 wrong claims on any gateway node, the right token too, and an unknown serial alike', async () => {
    const tenantId = uniqueTenant('pvl');
    const token = claimToken();
    await provision({ tenantId, serial: 'SN-L1', method: 'CLAIM', claimToken: token });
    for (const deviceId of ['SN-L1', 'SN-NEVER-PROVISIONED']) {
      // Wrong claims through another gateway node: counted in PostgreSQL, so they add up
      // whichever node a guesser tries.
      for (let i = 0; i < 5; i++)
        expect(
          await claimDevice(
            stack.database,
            { tenantId, deviceId },
            `wrong-${i}-Zk3q9Lr0TbWx7Yc2Vn`,
          ),
        ).toMatchObject({ refused: 'gateway:auth.claim-refused' });
      const locked = await answerOf(tenantId, deviceId, token);
      expect(locked).toMatchObject({ type: 'error', code: 'provisioning:claim.locked' });
      expect(locked.message).toMatch(/locked until \d{4}-/);
    }
    const rows = await stack.database.sql`
      select device_id, failures from claim_attempts where tenant_id = ${tenantId} order by device_id`;
    expect(rows.map((r) => [r.device_id, r.failures])).toEqual([
      ['SN-L1', 5],
      ['SN-NEVER-PROVISIONED', 5],
    ]);
    expect((await provisioningOf(tenantId, 'SN-L1')).claimedAt).toBeNull();
  });

  it('refuses an unknown serial with the same hashing work as a known one', async () => {
    const tenantId = uniqueTenant('pvt');
    await provision({ tenantId, serial: 'SN-T1', method: 'CLAIM', claimToken: claimToken() });
    // No lock-out here: every try must reach the hash.
    const policy = { maxFailures: 1_000, windowS: 60, lockS: 60 };
    // scrypt jobs this process starts (Node names their async resource SCRYPTREQUEST): the
    // work a refusal costs, counted exactly rather than timed on a busy machine.
    let scrypts = 0;
    const hook = createHook({
      init: (_id, type) => void (type === 'SCRYPTREQUEST' && scrypts++),
    });
    const scryptsOf = async (deviceId: string) => {
      const before = scrypts;
      const outcome = await claimDevice(
        stack.database,
        { tenantId, deviceId },
        'clm_wrong-token-0123456789abc',
        { policy },
      );
      expect(outcome).toMatchObject({ refused: 'gateway:auth.claim-refused' });
      return scrypts - before;
    };
    await scryptsOf('SN-WARM-UP'); // the dummy hash is made once, on first use
    hook.enable();
    try {
      expect(await scryptsOf('SN-T1')).toBe(1);
      expect(await scryptsOf('SN-NEVER-PROVISIONED')).toBe(1);
    } finally {
      hook.disable();
    }
  });

  it('refuses an operator-chosen claim token that is short or a pattern', async () => {
    for (const weak of ['x1y2z3w4v5u6t7s8', 'a'.repeat(30)]) {
      const res = await graphql(stack.apiUrl, PROVISION, {
        i: { tenantId: uniqueTenant('pvw'), serial: 'SN-W1', method: 'CLAIM', claimToken: weak },
      });
      expect(res.errors?.[0]?.extensions?.code, weak).toBe('provisioning:claim-token.weak');
      expect(res.errors?.[0]?.message).toContain('claimToken');
    }
  });
});
