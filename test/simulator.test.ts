import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFleet, type FleetRun } from '../bench/simulator/run-fleet';
import { eventually, graphql } from './support/graphql';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';
import { ADMIN_TOKEN } from './support/auth';

// The simulator registers its fleet with the credentials in DOPPEL_TOKEN, as a user runs it.
process.env.DOPPEL_TOKEN = ADMIN_TOKEN;

/** The fleet simulator (bench/simulator) in this process, against the whole real stack. */

const DEVICE = `query ($t: ID!, $d: ID!) {
  device(tenantId: $t, deviceId: $d) { firmware reported connectivity { status } }
}`;
const SEND = `mutation ($i: SendCommandInput!) { sendCommand(input: $i) { commandId } }`;

let stack: TestStack;
let run: FleetRun;
let tenant: string;
let dir: string;

const deviceOf = async (deviceId: string) => {
  const res = await graphql(stack.apiUrl, DEVICE, { t: tenant, d: deviceId });
  expect(res.errors).toBeUndefined();
  return res.data.device;
};

beforeAll(async () => {
  stack = await startTestStack();
  tenant = uniqueTenant('sim');
  dir = await mkdtemp(path.join(os.tmpdir(), 'doppel-sim-'));
  run = await runFleet({
    gateway: stack.gatewayUrl.replace(/\/device$/, ''),
    api: stack.apiUrl,
    tenant,
    counts: { ocpp16: 2, ocpp201: 2, mqtt: 2, json: 2 },
    durationS: Infinity,
    seed: 7,
    tokensFile: path.join(dir, 'tokens.json'),
    sourceAddresses: 2,
    // Lively rates, so a short run sees sessions and meter values; nothing fails on its own.
    rates: {
      sessionIntervalS: 0.5,
      sessionMinS: 3,
      sessionMaxS: 4,
      meterIntervalS: 1,
      telemetryIntervalS: 2,
      reportIntervalS: 2,
      faultsPerHour: 0,
      dropsPerHour: 0,
      firmwareStepS: 0.2,
      firmwareFailureRate: 0,
      firmwareTimeoutRate: 0,
    },
  });
});
afterAll(async () => {
  await run?.stop();
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the fleet simulator', () => {
  it('registers every device and keeps its token for the next run', async () => {
    expect(run.registration).toMatchObject({ registered: 8, reused: 0, skipped: [] });
    const stored = JSON.parse(await readFile(path.join(dir, 'tokens.json'), 'utf8'));
    expect(Object.keys(stored.tokens)).toHaveLength(8);
  });

  it('brings every twin online', async () => {
    for (const { deviceId } of run.registration.devices) {
      await eventually(async () => {
        const d = await deviceOf(deviceId);
        return d?.connectivity.status === 'ONLINE' ? d : undefined;
      });
    }
    const counters = await eventually(async () =>
      run.counters().booted === 8 ? run.counters() : undefined,
    );
    expect(counters.errors).toBe(0);
  });

  it.each(['sim-o16-00001', 'sim-o201-00001'])(
    '%s reports a charging session with meter values',
    async (deviceId) => {
      const device = await eventually(async () => {
        const d = await deviceOf(deviceId);
        return d?.reported?.meter?.['Energy.Active.Import.Register'] ? d : undefined;
      });
      expect(device.reported.meter['Energy.Active.Import.Register']).toMatchObject({ unit: 'Wh' });
      await eventually(async () =>
        run.counters().sessionsCompleted > 0 ? run.counters() : undefined,
      );
    },
  );

  it.each([
    {
      deviceId: 'sim-o16-00002',
      params: {
        location: 'https://fw.example.com/ac/fw-2.0.0.bin',
        retrieveDate: '2026-01-05T02:00:00Z',
      },
      firmware: 'fw-2.0.0',
    },
    {
      deviceId: 'sim-o201-00002',
      params: {
        requestId: 9,
        firmware: {
          location: 'https://fw.example.com/dc/fw-3.1.0.bin',
          retrieveDateTime: '2026-01-05T02:00:00Z',
        },
      },
      firmware: 'fw-3.1.0',
    },
  ])(
    '$deviceId installs firmware sent with UpdateFirmware and boots with it',
    async ({ deviceId, params, firmware }) => {
      const sent = await graphql(stack.apiUrl, SEND, {
        i: { tenantId: tenant, deviceId, name: 'UpdateFirmware', params },
      });
      expect(sent.errors).toBeUndefined();
      const device = await eventually(async () => {
        const d = await deviceOf(deviceId);
        return d.firmware === firmware && d.connectivity.status === 'ONLINE' ? d : undefined;
      }, 30_000);
      expect(device.reported.firmwareStatus).toBe('Installed');
    },
  );
});
