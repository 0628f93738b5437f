import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeAlarmRule, createAlarmRule, removeAlarmRule } from '../db/alarm-rule-store';
import { alarmRuleSchema } from '../twins/alarms/rule';
import { transition } from './support/change-subscriptions';
import { eventually } from './support/graphql';
import { connectStation, type OcppVersion, type Station } from './support/ocpp-station';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';
import { TwinGraph } from './support/twin-graph';

/**
 * Alarms pushed down to OCPP stations (issue 19, item 3), with real ocpp-rpc stations: 1.6
 * StatusNotification error codes and 2.0.1 NotifyEvents map to alarm types through the device
 * profile; a 2.0.1 station that supports monitoring gets the threshold rules as
 * SetVariableMonitoring, and the NotifyEvent answering a monitor raises the rule's alarm.
 */
let stack: TestStack;
let graph: TwinGraph;
afterAll(() => stack?.stop());
beforeAll(async () => {
  stack = await startTestStack();
  graph = new TwinGraph(stack, uniqueTenant('ocpp-alarms'));
});

const wallbox = JSON.parse(
  readFileSync(
    new URL('../twins/profiles/examples/acme-wallbox-ac22.json', import.meta.url),
    'utf8',
  ),
);

const PUT_PROFILE = `mutation ($t: ID!, $p: JSONObject!) { putDeviceProfile(tenantId: $t, profile: $p) { version } }`;
const REPORTED = `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) { reported } }`;

const boot = (version: OcppVersion, model: string) =>
  version === 'ocpp1.6'
    ? { chargePointVendor: 'Acme', chargePointModel: model, firmwareVersion: '1.5.0' }
    : { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model, firmwareVersion: '2.1' } };

async function station(
  version: OcppVersion,
  profile: Record<string, unknown>,
  handle?: (call: { method: string; params: any }) => unknown,
): Promise<{ cp: Station; deviceId: string; reconnect(): Promise<Station> }> {
  await graph.ok(PUT_PROFILE, { p: profile });
  const deviceId = `cp-${Math.random().toString(36).slice(2, 10)}`;
  const token = await graph.register(deviceId, profile.model as string);
  const connect = async () => {
    const cp = await connectStation(stack.ocppUrl, version, deviceId, token, graph.tenantId);
    if (handle) cp.handle(handle);
    expect(await cp.call('BootNotification', boot(version, profile.model as string))).toMatchObject(
      { status: 'Accepted' },
    );
    return cp;
  };
  return { cp: await connect(), deviceId, reconnect: connect };
}

/** A station's answer accepting every monitor asked for; a new one gets `newId`. */
const acceptMonitors = (params: any, newId: number) => ({
  setMonitoringResult: params.setMonitoringData.map((m: any) => ({
    id: m.id ?? newId,
    status: 'Accepted',
    type: m.type,
    severity: m.severity,
    component: m.component,
    variable: m.variable,
  })),
});

/** A NotifyEvent of one event (its time now). */
const notifyEvent = (cp: Station, event: Record<string, unknown> & { eventId: number }) =>
  cp.call('NotifyEvent', {
    generatedAt: new Date().toISOString(),
    seqNo: event.eventId,
    eventData: [{ timestamp: new Date().toISOString(), ...event }],
  });

interface AlarmRow {
  rule_id: string;
  rule_version: number;
  alarm_type: string;
  severity: string;
  status: string;
  details: Record<string, any>;
}

const alarmsOf = (deviceId: string) =>
  stack.database.sql<AlarmRow[]>`
    select rule_id, rule_version::int, alarm_type, severity, status, details from alarms
    where tenant_id = ${graph.tenantId} and device_id = ${deviceId} order by alarm_id`;

describe('OCPP 1.6 StatusNotification error codes', () => {
  it('GroundFailure raises the mapped alarm once, an unmapped code the default, NoError clears its connector', async () => {
    const profile = {
      ...wallbox,
      model: 'ac22-alarms-16',
      alarms: {
        errorCodes: { GroundFailure: { alarmType: 'GroundFault', severity: 'critical' } },
        default: { alarmType: 'StationFault', severity: 'minor' },
      },
    };
    const { cp, deviceId } = await station('ocpp1.6', profile);
    const status = (connectorId: number, errorCode: string, extra: object = {}) =>
      cp.call('StatusNotification', {
        connectorId,
        errorCode,
        status: errorCode === 'NoError' ? 'Available' : 'Faulted',
        timestamp: new Date().toISOString(),
        ...extra,
      });

    // Answered only once the alarm is committed.
    await status(1, 'GroundFailure', { vendorErrorCode: 'E42', info: 'RCD tripped' });
    expect(await alarmsOf(deviceId)).toEqual([
      expect.objectContaining({
        rule_id: 'ocpp:GroundFault:1',
        alarm_type: 'GroundFault',
        severity: 'critical',
        status: 'active',
        details: expect.objectContaining({
          connectorId: 1,
          errorCode: 'GroundFailure',
          vendorErrorCode: 'E42',
          info: 'RCD tripped',
        }),
      }),
    ]);
    // The station says it again (a reconnect, a retry): still one alarm.
    await status(1, 'GroundFailure');
    await status(2, 'OverVoltage');
    expect((await alarmsOf(deviceId)).map((a) => [a.rule_id, a.alarm_type, a.status])).toEqual([
      ['ocpp:GroundFault:1', 'GroundFault', 'active'],
      ['ocpp:StationFault:2', 'StationFault', 'active'],
    ]);

    await status(1, 'NoError');
    expect((await alarmsOf(deviceId)).map((a) => [a.rule_id, a.status])).toEqual([
      ['ocpp:GroundFault:1', 'cleared'],
      ['ocpp:StationFault:2', 'active'],
    ]);
    const audit = await stack.database.sql<{ operation: string }[]>`
      select operation from audit_entries
      where tenant_id = ${graph.tenantId} and subject = ${`device:${deviceId}`}
        and operation like 'alarm.%' order by id`;
    expect(audit.map((a) => a.operation)).toEqual(['alarm.raise', 'alarm.raise', 'alarm.clear']);
    // The alarm events (notifications, alarmEvents) name the station too.
    const events = await stack.database.sql<{ payload: string }[]>`
      select payload::text from outbox
      where tenant_id = ${graph.tenantId} and aggregate_type = 'alarm'
        and payload::text like ${`%${deviceId}%`}
      order by id`;
    expect(events).toHaveLength(3);
    for (const e of events) expect(e.payload).toContain(`"actor": "station:${deviceId}"`);
    await cp.close();
  });
});

describe('OCPP 1.6 StatusNotification error codes in maintenance', () => {
  it('a station in maintenance raises its alarm muted', async () => {
    const { cp, deviceId } = await station('ocpp1.6', { ...wallbox, model: 'ac22-alarms-16m' });
    const lifecycle = async () =>
      (
        await stack.database.sql<{ lifecycle: string }[]>`
          select lifecycle from device_twins
          where tenant_id = ${graph.tenantId} and device_id = ${deviceId}`
      )[0]?.lifecycle;
    // The first connection activates the device through its twin, asynchronously.
    await expect.poll(lifecycle, { timeout: 15_000 }).toBe('active');
    await transition(stack.apiUrl, graph.tenantId, deviceId, 'MAINTENANCE');
    await expect.poll(lifecycle, { timeout: 15_000 }).toBe('maintenance');
    await cp.call('StatusNotification', {
      connectorId: 1,
      errorCode: 'HighTemperature',
      status: 'Faulted',
    });
    const muted = await stack.database.sql<{ alarm_type: string; muted: boolean }[]>`
      select alarm_type, muted from alarms
      where tenant_id = ${graph.tenantId} and device_id = ${deviceId}`;
    // The example wallbox's own mapping.
    expect(muted).toEqual([{ alarm_type: 'OverTemperature', muted: true }]);
    await cp.close();
  });
});

describe('OCPP 2.0.1 monitoring', () => {
  const profile201 = (model: string) => ({
    ...wallbox,
    model,
    protocol: 'ocpp2.0.1',
    // The wallbox's 1.6 repairs (numbers to text) would break 2.0.1 meter values.
    quirks: [],
    ocpp: {
      monitoring: true,
      variables: {
        temperature: { component: 'EVSE', evse: 1, variable: 'Temperature' },
        currentA: { component: 'EVSE', evse: 1, variable: 'Current' },
      },
    },
    alarms: {
      events: [
        {
          component: 'Connector',
          variable: 'AvailabilityState',
          when: ['Faulted'],
          alarmType: 'ConnectorFaulted',
          severity: 'major',
        },
      ],
    },
  });

  it('a threshold rule becomes SetVariableMonitoring; the NotifyEvent raises and clears its alarm; a rule change re-sends', async () => {
    const model = 'ac22-monitoring';
    const ruleChange = { tenantId: graph.tenantId, ruleId: 'hot', actor: 'ops', role: 'admin' };
    const hot = (above: number) =>
      alarmRuleSchema.parse({
        name: 'Hot EVSE',
        alarmType: 'OverTemperature',
        scope: { deviceProfile: model },
        severity: 'major',
        condition: { field: 'temperature', above },
      });
    await createAlarmRule(stack.database, ruleChange, hot(80));
    const monitors: any[] = [];
    const { cp, deviceId } = await station('ocpp2.0.1', profile201(model), ({ method, params }) => {
      if (method !== 'SetVariableMonitoring') throw new Error(`unexpected ${method}`);
      monitors.push(params);
      return acceptMonitors(params, 17);
    });

    await eventually(async () => (monitors.length > 0 ? true : undefined));
    expect(monitors[0]).toEqual({
      setMonitoringData: [
        {
          value: 80,
          type: 'UpperThreshold',
          severity: 4,
          component: { name: 'EVSE', evse: { id: 1 } },
          variable: { name: 'Temperature' },
        },
      ],
    });
    // The operator sees which monitors are set: the twin's reported `ocppMonitors`.
    const reported = await eventually(async () => {
      const { device } = await graph.ok(REPORTED, { d: deviceId });
      return device.reported?.ocppMonitors?.hot?.status === 'Accepted'
        ? device.reported.ocppMonitors.hot
        : undefined;
    });
    expect(reported).toMatchObject({ id: 17, ruleVersion: 1, type: 'UpperThreshold', value: 80 });

    const event = (extra: object) =>
      notifyEvent(cp, {
        eventId: 1,
        trigger: 'Alerting',
        actualValue: '85.5',
        eventNotificationType: 'CustomMonitor',
        variableMonitoringId: 17,
        component: { name: 'EVSE', evse: { id: 1 } },
        variable: { name: 'Temperature' },
        ...extra,
      });
    expect(await event({})).toEqual({});
    expect(await alarmsOf(deviceId)).toEqual([
      expect.objectContaining({
        rule_id: 'hot',
        rule_version: 1,
        alarm_type: 'OverTemperature',
        severity: 'major',
        status: 'active',
        details: expect.objectContaining({ source: 'station', monitorId: 17, actualValue: '85.5' }),
      }),
    ]);
    await event({ eventId: 2, actualValue: '70', cleared: true });
    expect((await alarmsOf(deviceId)).map((a) => [a.rule_id, a.status])).toEqual([
      ['hot', 'cleared'],
    ]);

    // A rule change replaces the monitor (same id, the new threshold).
    await changeAlarmRule(stack.database, ruleChange, 1, hot(90));
    await eventually(async () => (monitors.length > 1 ? true : undefined));
    expect(monitors[1].setMonitoringData).toEqual([
      expect.objectContaining({ id: 17, value: 90, type: 'UpperThreshold', severity: 4 }),
    ]);
    await cp.close();
  });

  it('a station booting again gets its monitors by their ids; the monitor of a removed rule is cleared', async () => {
    const model = 'ac22-monitoring-2';
    const ruleChange = { tenantId: graph.tenantId, ruleId: 'cold', actor: 'ops', role: 'admin' };
    await createAlarmRule(
      stack.database,
      ruleChange,
      alarmRuleSchema.parse({
        name: 'Frozen EVSE',
        alarmType: 'UnderTemperature',
        scope: { deviceProfile: model },
        severity: 'warning',
        condition: { field: 'temperature', below: -20 },
      }),
    );
    const calls: Array<{ method: string; params: any }> = [];
    const { cp, deviceId, reconnect } = await station(
      'ocpp2.0.1',
      profile201(model),
      ({ method, params }) => {
        calls.push({ method, params });
        if (method === 'ClearVariableMonitoring')
          return {
            clearMonitoringResult: params.id.map((id: number) => ({ id, status: 'Accepted' })),
          };
        return acceptMonitors(params, 40);
      },
    );
    const monitorsOnTwin = async () =>
      (await graph.ok(REPORTED, { d: deviceId })).device.reported?.ocppMonitors ?? {};
    await eventually(async () => ((await monitorsOnTwin()).cold?.id === 40 ? true : undefined));
    expect(calls.map((c) => c.method)).toEqual(['SetVariableMonitoring']);
    expect(calls[0]!.params.setMonitoringData).toEqual([
      expect.objectContaining({ type: 'LowerThreshold', value: -20, severity: 6 }),
    ]);
    expect(calls[0]!.params.setMonitoringData[0]).not.toHaveProperty('id');

    await cp.close();
    const again = await reconnect();
    await eventually(async () => (calls.length > 1 ? true : undefined));
    expect(calls[1]).toEqual({
      method: 'SetVariableMonitoring',
      params: { setMonitoringData: [expect.objectContaining({ id: 40, value: -20 })] },
    });

    await removeAlarmRule(stack.database, ruleChange, 1);
    await eventually(async () => (calls.length > 2 ? true : undefined));
    expect(calls[2]).toEqual({ method: 'ClearVariableMonitoring', params: { id: [40] } });
    await eventually(async () => ('cold' in (await monitorsOnTwin()) ? undefined : true));
    await again.close();
  });

  it("the station's clear of a rule's alarm resets the gateway's window for the rule", async () => {
    const model = 'ac22-monitoring-3';
    await createAlarmRule(
      stack.database,
      { tenantId: graph.tenantId, ruleId: 'surge', actor: 'ops', role: 'admin' },
      alarmRuleSchema.parse({
        name: 'Surge',
        alarmType: 'OverCurrent',
        scope: { deviceProfile: model },
        severity: 'minor',
        condition: { field: 'currentA', above: 30 },
      }),
    );
    let set = 0;
    const { cp, deviceId } = await station('ocpp2.0.1', profile201(model), ({ params }) => {
      set += 1;
      return acceptMonitors(params, 5);
    });
    await eventually(async () => (set > 0 ? true : undefined));
    // The station also sends the current: the gateway judges the same rule on it.
    const current = (value: number) =>
      cp.call('MeterValues', {
        evseId: 1,
        meterValue: [
          {
            timestamp: new Date().toISOString(),
            sampledValue: [{ value, measurand: 'Current.Import', unitOfMeasure: { unit: 'A' } }],
          },
        ],
      });
    const monitorEvent = (eventId: number, cleared: boolean) =>
      notifyEvent(cp, {
        eventId,
        trigger: 'Alerting',
        actualValue: cleared ? '20' : '31',
        cleared,
        eventNotificationType: 'CustomMonitor',
        variableMonitoringId: 5,
        component: { name: 'EVSE', evse: { id: 1 } },
        variable: { name: 'Current' },
      });
    const statuses = async () => (await alarmsOf(deviceId)).map((a) => [a.rule_id, a.status]);

    await current(31);
    await monitorEvent(1, false);
    expect(await statuses()).toEqual([['surge', 'active']]);
    await monitorEvent(2, true);
    expect(await statuses()).toEqual([['surge', 'cleared']]);
    // Still too high by the gateway's reading: a new alarm, not a window that thinks it raised one.
    await current(32);
    expect(await statuses()).toEqual([
      ['surge', 'cleared'],
      ['surge', 'active'],
    ]);
    await cp.close();
  });

  it('events on a variable the profile maps raise and clear its alarm type', async () => {
    const { cp, deviceId } = await station('ocpp2.0.1', {
      ...profile201('ac22-events'),
      ocpp: { monitoring: false, variables: {} },
    });
    const availability = (eventId: number, actualValue: string) =>
      notifyEvent(cp, {
        eventId,
        trigger: 'Delta',
        actualValue,
        techCode: 'RCD',
        eventNotificationType: 'HardWiredNotification',
        component: { name: 'Connector', evse: { id: 1, connectorId: 1 } },
        variable: { name: 'AvailabilityState' },
      });
    await availability(1, 'Faulted');
    expect(await alarmsOf(deviceId)).toEqual([
      expect.objectContaining({
        rule_id: 'ocpp:ConnectorFaulted:Connector/AvailabilityState@1.1',
        alarm_type: 'ConnectorFaulted',
        severity: 'major',
        status: 'active',
        details: expect.objectContaining({ actualValue: 'Faulted', techCode: 'RCD' }),
      }),
    ]);
    await availability(2, 'Available');
    expect((await alarmsOf(deviceId)).map((a) => a.status)).toEqual(['cleared']);
    await cp.close();
  });
});
