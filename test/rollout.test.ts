import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  bootPayload,
  connectStation,
  type OcppVersion,
  type Station,
} from './support/ocpp-station';
import { rolloutConfigSchema } from '../twins/rollout/config';
import { startRollout } from '../workflows/rollout/client';
import { startWorkerProcess } from './support/worker-process';
import {
  closeFirmwareDevices,
  control,
  firmwareDevice,
  START,
  untilRollout,
  type Behaviour,
} from './support/firmware-device';
import { eventually, graphql } from './support/graphql';
import { startTestStack, type TestStack } from './support/stack';
import { TwinGraph } from './support/twin-graph';

/**
 * OTA rollouts through the real API, Temporal and PostgreSQL, with native JSON devices that
 * take an `update-firmware` command the way firmware does: answer, download, reboot.
 */
let stack: TestStack;
const clients: MqttClient[] = [];
const mqttUrl = () => stack.gatewayUrl.replace(/\/device$/, '/mqtt');
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  closeFirmwareDevices();
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
  await stack?.stop();
});

describe('OTA rollouts', () => {
  it('pauses itself on a failing canary, counts an update only after the reboot, then resumes and aborts', async () => {
    const g = new TwinGraph(stack);
    const log: string[] = [];
    const behaviours: Behaviour[] = ['reject', 'update', 'update', 'update', 'update', 'update'];
    for (const [i, behaviour] of behaviours.entries()) {
      const id = `dev-${i}`;
      await firmwareDevice(g, id, await g.register(id, 'wb-1'), '1.0', behaviour, log, 3000);
    }
    // A device in maintenance is skipped with the reason, never commanded.
    const inMaintenance = await g.register('dev-00', 'wb-1');
    await firmwareDevice(g, 'dev-00', inMaintenance, '1.0', 'update', log);
    await g.ok(
      `mutation ($i: TransitionDeviceInput!) { transitionDevice(input: $i) { version } }`,
      { i: { tenantId: g.tenantId, deviceId: 'dev-00', to: 'MAINTENANCE', reason: 'repair' } },
    );

    const config = {
      id: 'fw-2',
      firmware: { version: '2.0', url: 'https://firmware.example.com/wb-1/2.0.bin' },
      target: { models: ['wb-1'] },
      canary: { devices: 1 },
      waves: { mode: 'constant', size: 2 },
      perDevice: { timeoutS: 30, retries: 0 },
      abort: { failurePercent: 50, minExecuted: 100 },
    };
    const started = await g.ok(START, { c: config });
    expect(started.startRollout).toMatchObject({
      workflowId: `rollout:${g.tenantId}:fw-2`,
      created: true,
    });

    // The canary (dev-0) refuses: the rollout pauses itself and commands nobody else.
    const paused = await untilRollout(g, 'fw-2', (r) => r.status === 'PAUSED');
    expect(paused.reason).toBe('paused automatically: canary: 1 of 1 devices failed');
    expect(paused.devices.find((d: any) => d.deviceId === 'dev-0')).toMatchObject({
      status: 'FAILED',
      detail: 'the device answered the update command: rejected',
    });
    expect(log).toEqual(['dev-0:update-firmware']);

    // Resumed: the next wave is commanded, but "accepted" is not "updated".
    expect(
      (await g.ok(control('resumeRollout'), { i: { tenantId: g.tenantId, rolloutId: 'fw-2' } }))
        .resumeRollout,
    ).toMatchObject({
      accepted: true,
      rolloutId: 'fw-2',
      workflowId: `rollout:${g.tenantId}:fw-2`,
    });
    const downloading = await untilRollout(g, 'fw-2', (r) =>
      r.devices.some((d: any) => d.deviceId === 'dev-1' && d.status === 'COMMANDED'),
    );
    expect(downloading.status).toBe('RUNNING');
    expect(downloading.devices.find((d: any) => d.deviceId === 'dev-1').status).toBe('COMMANDED');
    // Wave 1: dev-00 (in maintenance: skipped, never commanded) and dev-1.
    const wave = await untilRollout(g, 'fw-2', (r) =>
      r.devices.some((d: any) => d.deviceId === 'dev-1' && d.status === 'SUCCEEDED'),
    );
    expect(wave.counts.failed).toBe(1);

    // An operator pauses, then aborts: the devices never commanded are aborted.
    await g.ok(control('pauseRollout'), { i: { tenantId: g.tenantId, rolloutId: 'fw-2' } });
    await g.ok(control('abortRollout'), {
      i: { tenantId: g.tenantId, rolloutId: 'fw-2', reason: 'enough for today' },
    });
    const aborted = await untilRollout(g, 'fw-2', (r) => r.status === 'ABORTED');
    expect(aborted.reason).toBe('enough for today');
    const byId = Object.fromEntries(aborted.devices.map((d: any) => [d.deviceId, d]));
    expect(byId['dev-00']).toMatchObject({ status: 'SKIPPED', detail: 'in maintenance' });
    for (const d of aborted.devices)
      expect(['SUCCEEDED', 'FAILED', 'SKIPPED', 'ABORTED']).toContain(d.status);
    expect(
      aborted.counts.succeeded +
        aborted.counts.aborted +
        aborted.counts.failed +
        aborted.counts.skipped,
    ).toBe(7);
    // Every device was commanded at most once.
    expect(new Set(log).size).toBe(log.length);

    // Controls of a rollout that no longer runs are refused with a clear code.
    const late = await g.refused(control('resumeRollout'), {
      i: { tenantId: g.tenantId, rolloutId: 'fw-2' },
    });
    expect(late).toBe('rollout:not-running');
  });

  it('resumes after its worker is killed mid-rollout, commanding no device twice', async () => {
    const g = new TwinGraph(stack);
    const log: string[] = [];
    for (let i = 0; i < 6; i++) {
      const id = `k-${i}`;
      await firmwareDevice(g, id, await g.register(id, 'wb-2'), '1.0', 'update', log, 4000);
    }
    // The rollout runs on a task queue of its own, served by a worker process we can kill.
    const taskQueue = `rollout-kill-${Date.now().toString(36)}`;
    const backends = {
      temporalAddress: inject('temporalAddress'),
      databaseUrl: inject('databaseUrl'),
    };
    const first = await startWorkerProcess(backends, taskQueue);
    const config = rolloutConfigSchema.parse({
      id: 'fw-3',
      firmware: { version: '3.0', url: 'https://firmware.example.com/wb-2/3.0.bin' },
      target: { models: ['wb-2'] },
      canary: { devices: 1 },
      waves: { mode: 'constant', size: 5 },
      maxConcurrency: 5,
      perDevice: { timeoutS: 60, retries: 0 },
    });
    await startRollout(
      stack.temporal,
      { tenantId: g.tenantId, actor: 'test', config },
      { taskQueue },
    );
    // Killed while the second wave's devices are downloading.
    await untilRollout(
      g,
      'fw-3',
      (r) => r.devices.filter((d: any) => d.status === 'COMMANDED').length >= 3,
    );
    await first.crash();
    const second = await startWorkerProcess(backends, taskQueue);
    try {
      const done = await untilRollout(g, 'fw-3', (r) => r.status === 'COMPLETED', 90_000);
      expect(done.devices.filter((d: any) => d.status !== 'SUCCEEDED')).toEqual([]);
      expect(done.counts).toMatchObject({ succeeded: 6, failed: 0, pending: 0, commanded: 0 });
      expect([...log].sort()).toEqual(
        Array.from({ length: 6 }, (_, i) => `k-${i}:update-firmware`),
      );
    } finally {
      await second.crash();
    }
  }, 150_000);

  it('updates OCPP 1.6 and 2.0.1 stations (ocpp-rpc) and an MQTT.js device, each counted only after it rebooted into the new version', async () => {
    const g = new TwinGraph(stack);
    const events: string[] = [];
    const installed = new Set<string>();
    const stations: Station[] = [];
    const boot = async (version: OcppVersion, id: string, token: string, firmware: string) => {
      const cp = await connectStation(stack.ocppUrl, version, id, token, g.tenantId);
      stations.push(cp);
      cp.handle(({ method, params }) => {
        events.push(`${id}:${method}`);
        // Download and install on the old version, then reboot into the new one.
        void (async () => {
          for (const status of ['Downloading', 'Installed'])
            await cp.call(
              'FirmwareStatusNotification',
              version === 'ocpp1.6' ? { status } : { status, requestId: params.requestId },
            );
          installed.add(id);
          await new Promise((r) => setTimeout(r, 2500));
          await cp.close();
          await boot(version, id, token, 'fw-1.7.0');
        })();
        return version === 'ocpp1.6' ? {} : { status: 'Accepted' };
      });
      const payload = bootPayload(version, firmware);
      await cp.call('BootNotification', payload);
    };
    await boot('ocpp1.6', 'cp-16', await g.register('cp-16', 'AC-22'), 'fw-1.6.3');
    await boot('ocpp2.0.1', 'cp-201', await g.register('cp-201', 'AC-22'), 'fw-1.6.3');

    // An MQTT device applies a desired firmware: it reports it, reconnects, reports the new one.
    const mqttToken = await g.register('mq-1', 'AC-22');
    const username = `${g.tenantId}/mq-1`;
    const login = {
      protocolVersion: 5 as const,
      clientId: username,
      username,
      password: mqttToken,
      reconnectPeriod: 0,
    };
    const topic = `doppel/${username}`;
    const meter = await mqtt.connectAsync(mqttUrl(), login);
    clients.push(meter);
    await meter.publishAsync(
      `${topic}/report`,
      JSON.stringify({ firmware: { version: 'fw-1.6.3' } }),
      { qos: 1 },
    );
    await meter.subscribeAsync(`${topic}/desired`, { qos: 1 });
    meter.on('message', (_t, payload) => {
      const firmware = JSON.parse(String(payload)).state?.firmware;
      if (!firmware?.version) return;
      events.push(`mq-1:desired ${firmware.version}`);
      void (async () => {
        await meter.endAsync();
        const back = await mqtt.connectAsync(mqttUrl(), login);
        clients.push(back);
        await back.publishAsync(`${topic}/report`, JSON.stringify({ firmware }), { qos: 1 });
      })();
    });

    const config = {
      id: 'fw-17',
      firmware: { version: 'fw-1.7.0', url: 'https://firmware.example.com/ac-22/1.7.0.bin' },
      target: { models: ['AC-22'] },
      compatibility: { fromVersions: ['fw-1.6.3'] },
      canary: { devices: 1 },
      waves: { mode: 'constant', size: 5 },
      perDevice: { timeoutS: 60, retries: 0 },
    };
    await g.ok(START, { c: config });
    // "Installed" on the old connection is not success.
    const midway = await untilRollout(g, 'fw-17', () => installed.has('cp-16'));
    expect(midway.devices.find((d: any) => d.deviceId === 'cp-16').status).not.toBe('SUCCEEDED');
    const done = await untilRollout(g, 'fw-17', (r) => r.status === 'COMPLETED', 90_000);
    expect(done.counts).toMatchObject({ succeeded: 3, failed: 0 });
    expect(events.filter((e) => e.endsWith(':UpdateFirmware')).sort()).toEqual([
      'cp-16:UpdateFirmware',
      'cp-201:UpdateFirmware',
    ]);
    expect(events).toContain('mq-1:desired fw-1.7.0');
    for (const cp of stations) await cp.close().catch(() => undefined);
  }, 150_000);

  it('lets go of a device retired while it updates, without waiting for its time-out', async () => {
    const g = new TwinGraph(stack);
    const log: string[] = [];
    await firmwareDevice(g, 'r-1', await g.register('r-1', 'wb-4'), '1.0', 'stay', log);
    await g.ok(START, {
      c: {
        id: 'fw-r',
        firmware: { version: '2.0', url: 'https://firmware.example.com/wb-4/2.0.bin' },
        target: { models: ['wb-4'] },
        perDevice: { timeoutS: 600, retries: 0 },
      },
    });
    await untilRollout(g, 'fw-r', (r) => r.devices[0]?.status === 'COMMANDED');
    const retired = await g.ok(
      `mutation ($i: RetireDeviceInput!) { retireDevice(input: $i) { retired } }`,
      { i: { tenantId: g.tenantId, deviceId: 'r-1', reason: 'stolen' } },
    );
    expect(retired.retireDevice.retired).toBe(true);
    const done = await untilRollout(g, 'fw-r', (r) => r.status === 'COMPLETED');
    expect(done.devices[0]).toMatchObject({
      status: 'SKIPPED',
      detail: 'retired during the rollout',
    });
    expect(done.counts).toMatchObject({ skipped: 1, failed: 0, succeeded: 0 });
  });

  it('sends a bulk command with per-device results: accepted, refused, offline skipped', async () => {
    const g = new TwinGraph(stack);
    const log: string[] = [];
    await firmwareDevice(g, 'b-0', await g.register('b-0', 'wb-5'), '1.0', 'stay', log);
    await firmwareDevice(g, 'b-1', await g.register('b-1', 'wb-5'), '1.0', 'reject', log);
    await firmwareDevice(g, 'b-2', await g.register('b-2', 'wb-5'), '1.0', 'stay', log);
    const away = await g.connect('b-3', await g.register('b-3', 'wb-5'), '1.0');
    away.close();
    await eventually(async () => {
      const { device } = await g.ok(
        `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) { connectivity { status } } }`,
        { d: 'b-3' },
      );
      return device.connectivity.status === 'OFFLINE' ? device : undefined;
    });
    const started = await g.ok(
      `mutation ($t: ID!, $c: BulkCommandConfigInput!) { startBulkCommand(tenantId: $t, command: $c) { workflowId created } }`,
      {
        c: {
          id: 'reboot-1',
          command: { name: 'reboot', params: { delayS: 5 } },
          target: { models: ['wb-5'] },
          canary: { devices: 1 },
          waves: { mode: 'constant', size: 10 },
          perDevice: { timeoutS: 30, retries: 0 },
          abort: { failurePercent: 50, minExecuted: 100 },
          offline: 'skip',
        },
      },
    );
    expect(started.startBulkCommand).toMatchObject({
      workflowId: `bulk:${g.tenantId}:reboot-1`,
      created: true,
    });
    const done = await untilRollout(g, 'reboot-1', (r) => r.status === 'COMPLETED');
    const byId = Object.fromEntries(done.devices.map((d: any) => [d.deviceId, d]));
    expect(byId['b-0']).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
    expect(byId['b-1']).toMatchObject({
      status: 'FAILED',
      detail: 'the device answered: rejected',
    });
    expect(byId['b-2']).toMatchObject({ status: 'SUCCEEDED' });
    expect(byId['b-3']).toMatchObject({ status: 'SKIPPED', detail: 'offline' });
    expect([...log].sort()).toEqual(['b-0:reboot', 'b-1:reboot', 'b-2:reboot']);
  });

  it('takes its configuration as input types GraphiQL documents: literals, enum values, null as not given', async () => {
    const g = new TwinGraph(stack);
    const { __type } = await g.ok(
      '{ __type(name: "RolloutConfigInput") { inputFields { name description } } }',
    );
    const described = Object.fromEntries(
      __type.inputFields.map((f: { name: string; description: string }) => [f.name, f.description]),
    );
    expect(Object.keys(described).sort()).toEqual(Object.keys(rolloutConfigSchema.shape).sort());
    expect(described.abort).toContain('pauses itself');
    const { __type: waves } = await g.ok(
      '{ __type(name: "RolloutWavesInput") { inputFields { name type { kind name ofType { name } } } } }',
    );
    expect(waves.inputFields[0]).toEqual({
      name: 'mode',
      type: { kind: 'NON_NULL', name: null, ofType: { name: 'RolloutWaveMode' } },
    });

    // Written inline, as GraphiQL completes it: enum values without quotes, null for "not given".
    const started = await g.ok(`mutation ($t: ID!) {
      startRollout(tenantId: $t, rollout: {
        id: "fw-typed"
        firmware: { version: "2.0", url: "https://firmware.example.com/2.0.bin", checksum: null }
        target: { models: ["model-nobody-has"] }
        waves: { mode: exponential, base: 1, factor: 2, maximum: 4 }
        offline: skip
        abort: { maxFailures: null, minExecuted: 3 }
      }) { workflowId created }
    }`);
    expect(started.startRollout).toEqual({
      workflowId: `rollout:${g.tenantId}:fw-typed`,
      created: true,
    });
    const { rollout } = await g.ok(
      'query ($t: ID!) { rollout(tenantId: $t, rolloutId: "fw-typed") { config } }',
    );
    expect(rollout.config).toMatchObject({
      waves: { mode: 'exponential', base: 1, factor: 2, maximum: 4 },
      offline: 'skip',
      abort: { failurePercent: 20, minExecuted: 3 },
    });
    expect(rollout.config.abort).not.toHaveProperty('maxFailures');
    expect(rollout.config.firmware).not.toHaveProperty('checksum');

    // A field the configuration does not have is refused before anything runs.
    const unknown = await graphql(stack.apiUrl, START, {
      t: g.tenantId,
      c: { id: 'fw-typo', firmware: { version: '2.0', url: 'https://x.example.com/a' }, wave: {} },
    });
    expect(unknown.errors?.[0]?.message).toContain(
      '"wave" is not defined by type "RolloutConfigInput"',
    );
    const { rollout: none } = await g.ok(
      'query ($t: ID!) { rollout(tenantId: $t, rolloutId: "fw-typo") { status } }',
    );
    expect(none).toBeNull();

    // Clients written before the typed input still send the JSON they did (config, deprecated);
    // the configuration is given once.
    const legacy = await g.ok(
      'mutation ($t: ID!, $c: JSONObject!) { startRollout(tenantId: $t, config: $c) { created } }',
      {
        c: {
          id: 'fw-json',
          firmware: { version: '2.0', url: 'https://firmware.example.com/2.0.bin' },
          target: { models: ['model-nobody-has'] },
          waves: { mode: 'constant', size: 1 },
        },
      },
    );
    expect(legacy.startRollout.created).toBe(true);
    const { __type: mutations } = await g.ok(
      '{ __type(name: "Mutation") { fields { name args(includeDeprecated: true) { name isDeprecated } } } }',
    );
    const startArgs = mutations.fields.find((f: any) => f.name === 'startRollout').args;
    expect(startArgs).toEqual([
      { name: 'tenantId', isDeprecated: false },
      { name: 'rollout', isDeprecated: false },
      { name: 'config', isDeprecated: true },
    ]);
    const twice = await g.refused(
      'mutation ($t: ID!, $c: JSONObject!, $r: RolloutConfigInput!) { startRollout(tenantId: $t, config: $c, rollout: $r) { created } }',
      {
        c: { id: 'fw-2x' },
        r: { id: 'fw-2x', firmware: { version: '2', url: 'https://x.example.com/a' } },
      },
    );
    expect(twice).toBe('rollout:config.invalid');
    expect(await g.refused('mutation ($t: ID!) { startRollout(tenantId: $t) { created } }')).toBe(
      'rollout:config.invalid',
    );
  });

  it('refuses an invalid configuration with the field named', async () => {
    const g = new TwinGraph(stack);
    const code = await g.refused(START, {
      c: { id: 'x', firmware: { version: '2.0', url: 'not a url' } },
    });
    expect(code).toBe('rollout:config.invalid');
  });
});
