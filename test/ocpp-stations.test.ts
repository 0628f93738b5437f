import { readFileSync } from 'node:fs';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chargingSessionEvents, chargingSessions } from '../db/schema';
import { eventually, graphql } from './support/graphql';
import { bootPayload, connectStation, rpcCode, type OcppVersion } from './support/ocpp-station';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

/** Real stations (ocpp-rpc) against the real gateway, Temporal and PostgreSQL. */
let stack: TestStack;
let ocppUrl: string;
beforeAll(async () => {
  stack = await startTestStack();
  ocppUrl = stack.ocppUrl;
});
afterAll(() => stack?.stop());

const REGISTER = `mutation ($input: RegisterDeviceInput!) { registerDevice(input: $input) { token } }`;
const DEVICE = `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) {
  model firmware reported desired delta lifecycle { state } connectivity { status } } }`;
const TRANSITION = `mutation ($input: TransitionDeviceInput!) { transitionDevice(input: $input) { version } }`;
const DESIRE = `mutation ($input: UpdateDesiredInput!) { updateDesired(input: $input) { shadowVersion } }`;

type Version = OcppVersion;

async function registered(version: Version) {
  const tenantId = uniqueTenant('ocpp');
  const deviceId = `cp-${version === 'ocpp1.6' ? '16' : '201'}-${Math.random().toString(36).slice(2, 8)}`;
  const res = await graphql(stack.apiUrl, REGISTER, { input: { tenantId, deviceId } });
  expect(res.errors).toBeUndefined();
  return { tenantId, deviceId, token: res.data.registerDevice.token as string };
}

const station = (version: Version, identity: string, password: string | null, tenantId?: string) =>
  connectStation(ocppUrl, version, identity, password, tenantId);

async function deviceOf(tenantId: string, deviceId: string) {
  const res = await graphql(stack.apiUrl, DEVICE, { t: tenantId, d: deviceId });
  expect(res.errors).toBeUndefined();
  return res.data.device;
}

const SEND = `mutation ($i: SendCommandInput!) { sendCommand(input: $i) { commandId } }`;
/** Waits until the command shows `status` among the device's commands, and returns it. */
const statusOf = (tenantId: string, deviceId: string, id: string, status: string) =>
  eventually(async () => {
    const q = await graphql(
      stack.apiUrl,
      `
        query ($t: ID!, $d: ID!) {
          device(tenantId: $t, deviceId: $d) {
            commands {
              id
              status
              result
            }
          }
        }
      `,
      {
        t: tenantId,
        d: deviceId,
      },
    );
    const c = (q.data.device.commands as Array<{ id: string; status: string; result: any }>).find(
      (x) => x.id === id,
    );
    return c?.status === status ? c : undefined;
  });

describe.each(['ocpp1.6', 'ocpp2.0.1'] as const)('an %s station', (version) => {
  it('is refused before the upgrade: unknown identity 404, wrong or missing password 401', async () => {
    const { tenantId, deviceId, token } = await registered(version);
    expect(await rpcCode(station(version, 'nobody-here', token))).toBe(404);
    expect(await rpcCode(station(version, deviceId, token, 'other-tenant'))).toBe(404);
    expect(await rpcCode(station(version, deviceId, 'dpl_wrong-password-0000'))).toBe(401);
    expect(await rpcCode(station(version, deviceId, null))).toBe(401);
    const device = await deviceOf(tenantId, deviceId);
    expect(device.connectivity.status).not.toBe('ONLINE');
  });

  it('gets SecurityError before boot, then boots Accepted and shows up ACTIVE and ONLINE', async () => {
    const { tenantId, deviceId, token } = await registered(version);
    const cp = await station(version, deviceId, token, tenantId);
    expect(cp.protocol).toBe(version);
    expect(await rpcCode(cp.call('Heartbeat', {}))).toBe('SecurityError');

    const boot = await cp.call('BootNotification', bootPayload(version));
    expect(boot).toMatchObject({ status: 'Accepted', interval: 300 });
    expect(Date.parse(boot.currentTime)).toBeGreaterThan(Date.now() - 60_000);
    // ONLINE comes with the connect's commit, ACTIVE from the twin a moment later.
    const device = await eventually(async () => {
      const d = await deviceOf(tenantId, deviceId);
      return d?.connectivity.status === 'ONLINE' && d.lifecycle.state === 'ACTIVE' ? d : undefined;
    });
    expect(device).toMatchObject({
      model: 'AC-22',
      firmware: 'fw-1.6.3',
      lifecycle: { state: 'ACTIVE' },
    });

    // A second boot on the same connection is answered the same way.
    expect(await cp.call('BootNotification', bootPayload(version))).toMatchObject({
      status: 'Accepted',
    });
    const beat = await cp.call('Heartbeat', {});
    expect(Object.keys(beat)).toEqual(['currentTime']);
    await cp.close();
    await eventually(async () => {
      const d = await deviceOf(tenantId, deviceId);
      return d.connectivity.status === 'OFFLINE' ? d : undefined;
    });
  });

  it('reports status, firmware and security events to the twin before answering', async () => {
    const { tenantId, deviceId, token } = await registered(version);
    // Without a tenant in the URL the identity is looked up across tenants.
    const cp = await station(version, deviceId, token);
    await cp.call('BootNotification', bootPayload(version));
    const at = new Date().toISOString();
    if (version === 'ocpp1.6')
      await cp.call('StatusNotification', {
        connectorId: 1,
        errorCode: 'NoError',
        status: 'Charging',
      });
    else
      await cp.call('StatusNotification', {
        timestamp: at,
        connectorStatus: 'Occupied',
        evseId: 1,
        connectorId: 2,
      });
    await cp.call('FirmwareStatusNotification', { status: 'Downloading' });
    await cp.call('SecurityEventNotification', { type: 'ResetOrReboot', timestamp: at });
    if (version === 'ocpp1.6')
      await cp.call('DiagnosticsStatusNotification', { status: 'Uploaded' });
    await cp.call('LogStatusNotification', { status: 'Uploading', requestId: 4 });
    expect(
      await cp.call('DataTransfer', { vendorId: 'org.doppel', messageId: 'hello', data: 'x' }),
    ).toEqual({ status: 'Accepted' });
    expect(
      await cp.call(
        'Authorize',
        version === 'ocpp1.6'
          ? { idTag: 'TAG-1' }
          : {
              idToken: { idToken: 'TAG-1', type: 'ISO14443' },
            },
      ),
    ).toEqual(
      version === 'ocpp1.6'
        ? { idTagInfo: { status: 'Accepted' } }
        : { idTokenInfo: { status: 'Accepted' } },
    );
    // Answered only after the twin took it: the projection catches up without new messages
    // (waiting for the last one reported; the projection follows the twin asynchronously).
    const reported = (
      await eventually(async () => {
        const d = await deviceOf(tenantId, deviceId);
        return d?.reported?.dataTransfer ? d : undefined;
      })
    ).reported;
    expect(reported).toMatchObject({
      firmwareStatus: 'Downloading',
      logStatus: 'Uploading',
      dataTransfer: { vendorId: 'org.doppel', messageId: 'hello', data: 'x' },
      ...(version === 'ocpp1.6' ? { diagnosticsStatus: 'Uploaded' } : {}),
      lastSecurityEvent: { type: 'ResetOrReboot', at },
      ...(version === 'ocpp1.6'
        ? { connectors: { 1: { status: 'Charging', errorCode: 'NoError' } } }
        : { evses: { 1: { connectors: { 2: { status: 'Occupied' } } } } }),
    });
    await cp.close();
  });

  it('sends a desired change as one server CALL and reports the value once the station took it', async () => {
    const { tenantId, deviceId, token } = await registered(version);
    const cp = await station(version, deviceId, token, tenantId);
    const received: Array<{ method: string; params: any }> = [];
    let seenWhileFirstPending = 0;
    cp.handle(async ({ method, params }) => {
      received.push({ method, params });
      if (received.length === 1) {
        // The server must not send its next CALL before this one is answered.
        await new Promise((r) => setTimeout(r, 500));
        seenWhileFirstPending = received.length;
      }
      return version === 'ocpp1.6'
        ? { status: 'Accepted' }
        : {
            setVariableResult: params.setVariableData.map((d: any) => ({
              attributeStatus: 'Accepted',
              component: d.component,
              variable: d.variable,
            })),
          };
    });
    await cp.call('BootNotification', bootPayload(version));
    const patch =
      version === 'ocpp1.6'
        ? { HeartbeatInterval: 60, MeterValueSampleInterval: 30 }
        : { OCPPCommCtrlr: { HeartbeatInterval: 60 }, SampledDataCtrlr: { TxUpdatedInterval: 30 } };
    const res = await graphql(stack.apiUrl, DESIRE, { input: { tenantId, deviceId, patch } });
    expect(res.errors).toBeUndefined();

    await eventually(async () => (received.length >= 2 ? true : undefined));
    expect(seenWhileFirstPending).toBe(1);
    if (version === 'ocpp1.6') {
      expect(received).toEqual([
        { method: 'ChangeConfiguration', params: { key: 'HeartbeatInterval', value: '60' } },
        { method: 'ChangeConfiguration', params: { key: 'MeterValueSampleInterval', value: '30' } },
      ]);
    } else {
      expect(received.map((r) => r.method)).toEqual(['SetVariables', 'SetVariables']);
      expect(received[0]!.params.setVariableData).toEqual([
        {
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'HeartbeatInterval' },
          attributeValue: '60',
        },
      ]);
    }
    const device = await eventually(async () => {
      const d = await deviceOf(tenantId, deviceId);
      return Object.keys(d.delta).length === 0 ? d : undefined;
    });
    expect(device.reported).toMatchObject(patch);
    await cp.close();
  });
});

describe('quirk rules of a charger model', () => {
  it('repair an over-long serial number instead of refusing the boot, counted on the twin', async () => {
    const profile = JSON.parse(
      readFileSync(
        new URL('../twins/profiles/examples/acme-wallbox-ac22.json', import.meta.url),
        'utf8',
      ),
    );
    const boot = {
      chargePointVendor: 'Acme',
      chargePointModel: 'AC22',
      chargePointSerialNumber: 'S'.repeat(40),
    };

    const plain = await registered('ocpp1.6');
    const strict = await station('ocpp1.6', plain.deviceId, plain.token, plain.tenantId);
    await expect(strict.call('BootNotification', boot)).rejects.toMatchObject({
      rpcErrorCode: expect.stringMatching(/Constraint|Formation/),
    });
    await strict.close();

    const tenantId = uniqueTenant('ocpp');
    await graphql(
      stack.apiUrl,
      `
        mutation ($t: ID!, $p: JSONObject!) {
          putDeviceProfile(tenantId: $t, profile: $p) {
            version
          }
        }
      `,
      { t: tenantId, p: profile },
    );
    const reg = await graphql(stack.apiUrl, REGISTER, {
      input: { tenantId, deviceId: 'cp-quirky', model: profile.model },
    });
    const cp = await station('ocpp1.6', 'cp-quirky', reg.data.registerDevice.token, tenantId);
    expect(await cp.call('BootNotification', boot)).toMatchObject({ status: 'Accepted' });
    const twin = await eventually(async () => {
      const d = await deviceOf(tenantId, 'cp-quirky');
      return d.reported?.quirksApplied ? d : undefined;
    });
    expect(twin.reported.quirksApplied).toEqual({ 'long-serial': 1 });
    await cp.close();
  });
});

describe('commands to a station', () => {
  it.each([
    { version: 'ocpp1.6' as const, name: 'Reset', params: { type: 'Soft' } },
    { version: 'ocpp2.0.1' as const, name: 'Reset', params: { type: 'OnIdle' } },
  ])(
    '$version: a Reset sent through the twin is a server CALL, and its answer is recorded',
    async ({ version, name, params }) => {
      const { tenantId, deviceId, token } = await registered(version);
      const cp = await station(version, deviceId, token, tenantId);
      const received: Array<{ method: string; params: unknown }> = [];
      cp.handle(({ method, params: p }) => {
        received.push({ method, params: p });
        return { status: 'Accepted' };
      });
      await cp.call('BootNotification', bootPayload(version));
      const sent = await graphql(stack.apiUrl, SEND, { i: { tenantId, deviceId, name, params } });
      expect(sent.errors).toBeUndefined();
      expect(
        await statusOf(tenantId, deviceId, sent.data.sendCommand.commandId, 'SUCCEEDED'),
      ).toMatchObject({ result: { status: 'Accepted' } });
      expect(received).toEqual([{ method: name, params }]);

      const invalid = await graphql(stack.apiUrl, SEND, {
        i: { tenantId, deviceId, name, params: { type: 'Bogus' } },
      });
      expect(
        await statusOf(tenantId, deviceId, invalid.data.sendCommand.commandId, 'REJECTED'),
      ).toBeTruthy();
      expect(received).toHaveLength(1); // an invalid command never reaches the station
      await cp.close();
    },
  );

  it.each([
    {
      version: 'ocpp1.6' as const,
      name: 'RemoteStartTransaction',
      params: { connectorId: 1, idTag: 'TAG-R1' },
    },
    {
      version: 'ocpp2.0.1' as const,
      name: 'RequestStartTransaction',
      params: { remoteStartId: 7, evseId: 1, idToken: { idToken: 'TAG-R1', type: 'ISO14443' } },
    },
  ])(
    '$version: a $name reaches the station, Accepted is SUCCEEDED and Rejected is REJECTED',
    async ({ version, name, params }) => {
      const { tenantId, deviceId, token } = await registered(version);
      const cp = await station(version, deviceId, token, tenantId);
      const received: Array<{ method: string; params: unknown }> = [];
      cp.handle(({ method, params: p }) => {
        received.push({ method, params: p });
        return { status: received.length === 1 ? 'Accepted' : 'Rejected' };
      });
      await cp.call('BootNotification', bootPayload(version));
      const first = await graphql(stack.apiUrl, SEND, { i: { tenantId, deviceId, name, params } });
      expect(first.errors).toBeUndefined();
      expect(
        await statusOf(tenantId, deviceId, first.data.sendCommand.commandId, 'SUCCEEDED'),
      ).toMatchObject({ result: { status: 'Accepted' } });
      expect(received).toEqual([{ method: name, params }]);

      const second = await graphql(stack.apiUrl, SEND, { i: { tenantId, deviceId, name, params } });
      expect(second.errors).toBeUndefined();
      expect(
        await statusOf(tenantId, deviceId, second.data.sendCommand.commandId, 'REJECTED'),
      ).toMatchObject({ result: { status: 'Rejected' } });
      expect(received).toHaveLength(2);
      await cp.close();
    },
  );
});

describe('a firmware update', () => {
  const location = 'https://firmware.example.com/doppel/ac-22/fw-1.7.0.bin';
  const retrieveAt = '2026-01-05T02:00:00.000Z';
  it.each([
    {
      version: 'ocpp1.6' as const,
      params: { location, retrieveDate: retrieveAt },
      answer: {},
      notification: (status: string) => ({ status }),
    },
    {
      version: 'ocpp2.0.1' as const,
      params: { requestId: 42, firmware: { location, retrieveDateTime: retrieveAt } },
      answer: { status: 'Accepted' },
      notification: (status: string) => ({ status, requestId: 42 }),
    },
  ])(
    '$version: UpdateFirmware reaches the station, its progress shows on the twin, the reboot brings the new version',
    async ({ version, params, answer, notification }) => {
      const { tenantId, deviceId, token } = await registered(version);
      const cp = await station(version, deviceId, token, tenantId);
      const received: Array<{ method: string; params: unknown }> = [];
      cp.handle(({ method, params: p }) => {
        received.push({ method, params: p });
        return answer;
      });
      await cp.call('BootNotification', bootPayload(version));
      const sent = await graphql(stack.apiUrl, SEND, {
        i: { tenantId, deviceId, name: 'UpdateFirmware', params },
      });
      expect(sent.errors).toBeUndefined();
      const command = await statusOf(
        tenantId,
        deviceId,
        sent.data.sendCommand.commandId,
        'SUCCEEDED',
      );
      expect(command.result).toEqual(answer);
      expect(received).toEqual([{ method: 'UpdateFirmware', params }]);

      // The station reports each step; the twin's reported state follows, one step at a time.
      for (const status of ['Downloading', 'Downloaded', 'Installing', 'Installed']) {
        expect(await cp.call('FirmwareStatusNotification', notification(status))).toEqual({});
        const d = await eventually(async () => {
          const x = await deviceOf(tenantId, deviceId);
          return x?.reported?.firmwareStatus === status ? x : undefined;
        });
        expect(d.firmware).toBe('fw-1.6.3');
      }
      await cp.close();

      // The station restarts into the new firmware: a new connection, a new boot.
      const rebooted = await station(version, deviceId, token, tenantId);
      const boot = bootPayload(version, 'fw-1.7.0');
      expect(
        await rebooted.call(
          'BootNotification',
          version === 'ocpp1.6' ? boot : { ...boot, reason: 'FirmwareUpdate' },
        ),
      ).toMatchObject({ status: 'Accepted' });
      const device = await eventually(async () => {
        const d = await deviceOf(tenantId, deviceId);
        return d.firmware === 'fw-1.7.0' && d.connectivity.status === 'ONLINE' ? d : undefined;
      });
      expect(device).toMatchObject({ model: 'AC-22', reported: { firmwareStatus: 'Installed' } });
      await rebooted.close();
    },
  );
});

describe('a station whose twin ends the connection', () => {
  it("is closed with the twin's code when the device is retired, and refused afterwards", async () => {
    const { tenantId, deviceId, token } = await registered('ocpp1.6');
    const cp = await station('ocpp1.6', deviceId, token, tenantId);
    await cp.call('BootNotification', bootPayload('ocpp1.6'));
    const closed = new Promise<{ code: number }>((resolve) => cp.once('close', resolve));
    const res = await graphql(stack.apiUrl, TRANSITION, {
      input: { tenantId, deviceId, to: 'RETIRED', reason: 'end of life' },
    });
    expect(res.errors).toBeUndefined();
    expect((await closed).code).toBe(4403);
    expect(await rpcCode(station('ocpp1.6', deviceId, token, tenantId))).toBe(404);
  });
});

describe('charging sessions', () => {
  it('OCPP 1.6: Start/MeterValues/StopTransaction with a database transactionId, a retried start gets the same id', async () => {
    const { tenantId, deviceId, token } = await registered('ocpp1.6');
    const cp = await station('ocpp1.6', deviceId, token, tenantId);
    await cp.call('BootNotification', bootPayload('ocpp1.6'));
    const start = {
      connectorId: 1,
      idTag: 'TAG-9',
      meterStart: 1000,
      timestamp: '2026-01-05T10:00:00.000Z',
    };
    const started = await cp.call('StartTransaction', start);
    expect(started).toMatchObject({ idTagInfo: { status: 'Accepted' } });
    expect(Number.isInteger(started.transactionId)).toBe(true);
    expect((await cp.call('StartTransaction', start)).transactionId).toBe(started.transactionId);

    await cp.call('MeterValues', {
      connectorId: 1,
      transactionId: started.transactionId,
      meterValue: [
        { timestamp: '2026-01-05T10:05:00.000Z', sampledValue: [{ value: '2500', unit: 'Wh' }] },
        {
          timestamp: '2026-01-05T10:10:00.000Z',
          sampledValue: [
            { value: '4000', unit: 'Wh' },
            { value: '7.2', measurand: 'Power.Active.Import', unit: 'kW' },
          ],
        },
      ],
    });
    let device = await eventually(async () => {
      const d = await deviceOf(tenantId, deviceId);
      return d?.reported?.meter ? d : undefined;
    });
    expect(device.reported.connectors['1'].transactionId).toBe(started.transactionId);
    expect(device.reported.meter).toEqual({
      'Energy.Active.Import.Register': { value: 4000, unit: 'Wh', at: '2026-01-05T10:10:00.000Z' },
      'Power.Active.Import': { value: 7.2, unit: 'kW', at: '2026-01-05T10:10:00.000Z' },
    });
    // The whole series is in the telemetry store, committed before the station was answered.
    const series = await graphql(
      stack.apiUrl,
      `
        query ($t: ID!, $d: ID!) {
          device(tenantId: $t, deviceId: $d) {
            telemetry(last: 10) {
              at
              channel
              values
            }
          }
        }
      `,
      { t: tenantId, d: deviceId },
    );
    expect(
      series.data.device.telemetry.map((x: any) => [
        new Date(x.at).toISOString(),
        x.channel,
        x.values,
      ]),
    ).toEqual([
      [
        '2026-01-05T10:10:00.000Z',
        'connector:1',
        { 'Energy.Active.Import.Register': 4000, 'Power.Active.Import': 7.2 },
      ],
      ['2026-01-05T10:05:00.000Z', 'connector:1', { 'Energy.Active.Import.Register': 2500 }],
    ]);

    const stopped = await cp.call('StopTransaction', {
      transactionId: started.transactionId,
      meterStop: 4200,
      timestamp: '2026-01-05T10:12:00.000Z',
      reason: 'EVDisconnected',
    });
    expect(stopped).toEqual({ idTagInfo: { status: 'Accepted' } });
    const rows = await stack.database.db
      .select()
      .from(chargingSessions)
      .where(and(eq(chargingSessions.tenantId, tenantId), eq(chargingSessions.deviceId, deviceId)));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: started.transactionId,
      transactionId: String(started.transactionId),
      protocol: 'ocpp1.6',
      connectorId: 1,
      idTag: 'TAG-9',
      meterStartWh: 1000,
      meterStopWh: 4200,
      stopReason: 'EVDisconnected',
    });
    expect(Date.parse(rows[0]!.stoppedAt!)).toBe(Date.parse('2026-01-05T10:12:00.000Z'));
    // The stop removed the connector's transactionId, its only reported value.
    device = await eventually(async () => {
      const d = await deviceOf(tenantId, deviceId);
      return d.reported.connectors === undefined ? d : undefined;
    });
    expect(device.reported.meter['Power.Active.Import'].value).toBe(7.2);
    await cp.close();
  });

  it('OCPP 2.0.1: TransactionEvent Started/Updated/Ended, a retried seqNo answered the same and stored once', async () => {
    const { tenantId, deviceId, token } = await registered('ocpp2.0.1');
    const cp = await station('ocpp2.0.1', deviceId, token, tenantId);
    await cp.call('BootNotification', bootPayload('ocpp2.0.1'));
    const transactionId = `tx-${Math.random().toString(36).slice(2, 10)}`;
    const event = (seqNo: number, eventType: string, extra: Record<string, unknown> = {}) => ({
      eventType,
      timestamp: new Date(Date.UTC(2026, 0, 5, 10, seqNo)).toISOString(),
      triggerReason: eventType === 'Ended' ? 'EVCommunicationLost' : 'Authorized',
      seqNo,
      transactionInfo: { transactionId, chargingState: 'Charging' },
      ...extra,
    });
    const energy = (wh: number, minute: number) => ({
      meterValue: [
        {
          timestamp: new Date(Date.UTC(2026, 0, 5, 10, minute)).toISOString(),
          sampledValue: [{ value: wh, unitOfMeasure: { unit: 'Wh' } }],
        },
      ],
    });
    const started = event(0, 'Started', {
      evse: { id: 1, connectorId: 1 },
      idToken: { idToken: 'TAG-7', type: 'ISO14443' },
      ...energy(500, 0),
    });
    expect(await cp.call('TransactionEvent', started)).toEqual({
      idTokenInfo: { status: 'Accepted' },
    });
    expect(await cp.call('TransactionEvent', event(1, 'Updated', energy(1500, 1)))).toEqual({});
    expect(await cp.call('TransactionEvent', event(1, 'Updated', energy(1500, 1)))).toEqual({});
    // A retry of the first event gets the first answer again.
    expect(await cp.call('TransactionEvent', started)).toEqual({
      idTokenInfo: { status: 'Accepted' },
    });
    const onTheWay = await eventually(async () => {
      const d = await deviceOf(tenantId, deviceId);
      return d?.reported?.evses?.['1']?.transactionId ? d : undefined;
    });
    expect(onTheWay.reported.evses['1']).toEqual({ transactionId, chargingState: 'Charging' });

    const ended = event(2, 'Ended', {
      transactionInfo: { transactionId, stoppedReason: 'EVDisconnected' },
      ...energy(2100, 2),
    });
    expect(await cp.call('TransactionEvent', ended)).toEqual({});

    const events = await stack.database.db
      .select()
      .from(chargingSessionEvents)
      .where(
        and(
          eq(chargingSessionEvents.tenantId, tenantId),
          eq(chargingSessionEvents.transactionId, transactionId),
        ),
      );
    expect(events.map((e) => [e.seqNo, e.eventType]).sort()).toEqual([
      [0, 'Started'],
      [1, 'Updated'],
      [2, 'Ended'],
    ]);
    const [session, ...others] = await stack.database.db
      .select()
      .from(chargingSessions)
      .where(and(eq(chargingSessions.tenantId, tenantId), eq(chargingSessions.deviceId, deviceId)));
    expect(others).toEqual([]);
    expect(session).toMatchObject({
      protocol: 'ocpp2.0.1',
      transactionId,
      evseId: 1,
      connectorId: 1,
      idTag: 'TAG-7',
      meterStartWh: 500,
      meterStopWh: 2100,
      stopReason: 'EVDisconnected',
    });
    const done = await eventually(async () => {
      const d = await deviceOf(tenantId, deviceId);
      return d.reported.evses?.['1']?.transactionId === undefined ? d : undefined;
    });
    expect(done.reported.meter['Energy.Active.Import.Register'].value).toBe(2100);
    await cp.close();
  });
});
