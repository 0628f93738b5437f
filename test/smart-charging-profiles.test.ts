import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clearProfileRequest,
  LOAD_MANAGER_DEFAULT_PROFILE_ID,
  txDefaultProfileRequest,
  txProfileRequest,
} from '../twins/smart-charging';
import { eventually, graphql } from './support/graphql';
import { bootPayload, connectStation, type OcppVersion } from './support/ocpp-station';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

/** Charging profiles as commands to real ocpp-rpc stations, through the twin (docs/smart-charging.md). */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const REGISTER = `mutation ($input: RegisterDeviceInput!) { registerDevice(input: $input) { token } }`;
const SEND = `mutation ($i: SendCommandInput!) { sendCommand(input: $i) { commandId } }`;
const DEVICE = `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) {
  reported commands { id name status result } } }`;

async function bootedStation(version: OcppVersion) {
  const tenantId = uniqueTenant('sc');
  const deviceId = `cp-${Math.random().toString(36).slice(2, 8)}`;
  const reg = await graphql(stack.apiUrl, REGISTER, { input: { tenantId, deviceId } });
  expect(reg.errors).toBeUndefined();
  const cp = await connectStation(
    stack.ocppUrl,
    version,
    deviceId,
    reg.data.registerDevice.token,
    tenantId,
  );
  const received: Array<{ method: string; params: any }> = [];
  const answers: Record<string, unknown> = {};
  cp.handle(({ method, params }) => {
    received.push({ method, params });
    return answers[method] ?? { status: 'Accepted' };
  });
  await cp.call('BootNotification', bootPayload(version));
  const device = () =>
    graphql(stack.apiUrl, DEVICE, { t: tenantId, d: deviceId }).then((r) => r.data.device);
  /** Sends a command and waits until it finished with `status`; returns it. */
  const command = async (name: string, params: unknown, status: string) => {
    const sent = await graphql(stack.apiUrl, SEND, { i: { tenantId, deviceId, name, params } });
    expect(sent.errors).toBeUndefined();
    const id = sent.data.sendCommand.commandId;
    return eventually(async () => {
      const c = (await device()).commands.find((x: { id: string }) => x.id === id);
      return c?.status === status ? c : undefined;
    }, 30_000);
  };
  return { cp, received, answers, command, device };
}

const schedule = (version: OcppVersion) =>
  version === 'ocpp1.6'
    ? {
        status: 'Accepted',
        connectorId: 1,
        scheduleStart: '2026-12-05T10:00:00Z',
        chargingSchedule: {
          chargingRateUnit: 'W',
          chargingSchedulePeriod: [{ startPeriod: 0, limit: 7333 }],
        },
      }
    : {
        status: 'Accepted',
        schedule: {
          evseId: 1,
          duration: 3600,
          scheduleStart: '2026-12-05T10:00:00Z',
          chargingRateUnit: 'W',
          chargingSchedulePeriod: [{ startPeriod: 0, limit: 7333 }],
        },
      };

describe.each(['ocpp1.6', 'ocpp2.0.1'] as const)(
  'charging profiles on an %s station',
  (version) => {
    it('sets a TxProfile, reads the composite schedule and clears it, each answer shown', async () => {
      const { cp, received, answers, command } = await bootedStation(version);
      const profile = txProfileRequest(
        { protocol: version, connectorId: 1, transactionId: version === 'ocpp1.6' ? '42' : 'tx-1' },
        { limit: 7333, unit: 'W' },
      );
      const set = await command('SetChargingProfile', profile, 'SUCCEEDED');
      expect(set.result).toEqual({ status: 'Accepted' });
      expect(received.at(-1)).toEqual({ method: 'SetChargingProfile', params: profile });

      answers.GetCompositeSchedule = schedule(version);
      const get =
        version === 'ocpp1.6'
          ? { connectorId: 1, duration: 3600, chargingRateUnit: 'W' }
          : { evseId: 1, duration: 3600, chargingRateUnit: 'W' };
      expect((await command('GetCompositeSchedule', get, 'SUCCEEDED')).result).toEqual(
        schedule(version),
      );

      const clear =
        version === 'ocpp1.6'
          ? { id: 7001 }
          : { chargingProfileCriteria: { chargingProfilePurpose: 'TxProfile', stackLevel: 1 } };
      answers.ClearChargingProfile = { status: 'Unknown' };
      expect((await command('ClearChargingProfile', clear, 'REJECTED')).result).toEqual({
        status: 'Unknown',
      });
      expect(received.map((r) => r.method)).toEqual([
        'SetChargingProfile',
        'GetCompositeSchedule',
        'ClearChargingProfile',
      ]);
      await cp.close();
    });

    it('sets load management’s TxDefaultProfile on connector 0 and clears it by id, both passing the official schema', async () => {
      const { cp, received, command } = await bootedStation(version);
      const profile = txDefaultProfileRequest(version, { limit: 16, unit: 'A', phases: 3 });
      await command('SetChargingProfile', profile, 'SUCCEEDED');
      const clear = clearProfileRequest(version, LOAD_MANAGER_DEFAULT_PROFILE_ID);
      await command('ClearChargingProfile', clear, 'SUCCEEDED');
      expect(received).toEqual([
        { method: 'SetChargingProfile', params: profile },
        { method: 'ClearChargingProfile', params: clear },
      ]);
      await cp.close();
    });

    it('refuses a profile the official schema does not allow, and the station never sees it', async () => {
      const { cp, received, command } = await bootedStation(version);
      const bad = txProfileRequest(
        { protocol: version, connectorId: 1, transactionId: '1' },
        { limit: 11000, unit: 'W' },
      ) as Record<string, any>;
      const inner = version === 'ocpp1.6' ? bad.csChargingProfiles : bad.chargingProfile;
      inner.chargingProfilePurpose = 'SiteProfile';
      const refused = await command('SetChargingProfile', bad, 'REJECTED');
      expect(refused.result.reason).toMatch(/not a valid SetChargingProfile request/);
      expect(received).toEqual([]);
      await cp.close();
    });
  },
);

describe('an ocpp2.0.1 station reporting its charging profiles', () => {
  it('shows ReportChargingProfiles per EVSE and source in the twin', async () => {
    const { cp, command, device } = await bootedStation('ocpp2.0.1');
    await command(
      'GetChargingProfiles',
      { requestId: 9, chargingProfile: { chargingProfilePurpose: 'TxProfile' } },
      'SUCCEEDED',
    );
    const profile = txProfileRequest(
      { protocol: 'ocpp2.0.1', connectorId: 1, transactionId: 'tx-1' },
      { limit: 16, unit: 'A', phases: 3 },
    ).chargingProfile;
    expect(
      await cp.call('ReportChargingProfiles', {
        requestId: 9,
        chargingLimitSource: 'CSO',
        evseId: 1,
        chargingProfile: [profile],
      }),
    ).toEqual({});
    const reported = await eventually(async () => {
      const d = await device();
      return d.reported?.chargingProfiles ? d.reported.chargingProfiles : undefined;
    });
    expect(reported).toEqual({
      '1/CSO': {
        requestId: 9,
        profiles: [
          {
            id: 7001,
            stackLevel: 1,
            purpose: 'TxProfile',
            kind: 'Relative',
            transactionId: 'tx-1',
            periods: [{ schedule: 0, unit: 'A', start: 0, limit: 16, phases: 3 }],
          },
        ],
      },
    });
    // A report the schema refuses is the station's error, not a crash.
    await expect(
      cp.call('ReportChargingProfiles', { requestId: 9, evseId: 1, chargingProfile: [] }),
    ).rejects.toMatchObject({ rpcErrorCode: expect.any(String) });
    await cp.close();
  });
});
