import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestDevice } from './support/device-client';
import { eventually, graphql } from './support/graphql';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const SEND = `mutation ($i: SendCommandInput!) { sendCommand(input: $i) { commandId device { commands { id status } } } }`;
const COMMANDS = `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) { commands { id name status result } } }`;

async function registered(deviceId: string) {
  const tenantId = uniqueTenant();
  const res = await graphql(
    stack.apiUrl,
    `
      mutation ($i: RegisterDeviceInput!) {
        registerDevice(input: $i) {
          token
        }
      }
    `,
    { i: { tenantId, deviceId } },
  );
  return { tenantId, deviceId, token: res.data.registerDevice.token as string };
}

async function online(d: { tenantId: string; deviceId: string; token: string }) {
  const device = await TestDevice.connect(stack.gatewayUrl);
  device.send({ type: 'hello', seq: 1, tenant: d.tenantId, device: d.deviceId, token: d.token });
  await device.next((m) => m.type === 'welcome');
  return device;
}

const commandOf = async (d: { tenantId: string; deviceId: string }, id: string, status: string) =>
  eventually(async () => {
    const q = await graphql(stack.apiUrl, COMMANDS, { t: d.tenantId, d: d.deviceId });
    const c = (q.data.device.commands as Array<{ id: string; status: string }>).find(
      (x) => x.id === id,
    );
    return c?.status === status ? c : undefined;
  });

describe('commands to devices', () => {
  it('reach an online device, and its answer is recorded on the twin', async () => {
    const d = await registered('lamp');
    const device = await online(d);
    const sent = await graphql(stack.apiUrl, SEND, {
      i: { tenantId: d.tenantId, deviceId: d.deviceId, name: 'blink', params: { times: 3 } },
    });
    expect(sent.errors).toBeUndefined();
    const id = sent.data.sendCommand.commandId as string;
    const command = await device.next((m) => m.type === 'command');
    expect(command).toMatchObject({ name: 'blink', params: { times: 3 } });
    device.send({
      type: 'command-result',
      seq: 2,
      id: command.id,
      status: 'accepted',
      result: { blinked: 3 },
    });
    expect(await device.next((m) => m.seq === 2)).toEqual({ type: 'ack', seq: 2 });
    expect(await commandOf(d, id, 'SUCCEEDED')).toMatchObject({
      name: 'blink',
      result: { blinked: 3 },
    });
    device.close();
  });

  it('wait for an offline device and reach it when it connects', async () => {
    const d = await registered('sleeper');
    const sent = await graphql(stack.apiUrl, SEND, {
      i: { tenantId: d.tenantId, deviceId: d.deviceId, name: 'reboot' },
    });
    const id = sent.data.sendCommand.commandId as string;
    expect(sent.data.sendCommand.device.commands).toEqual([{ id, status: 'PENDING' }]);
    const device = await online(d);
    const command = await device.next((m) => m.type === 'command');
    device.send({
      type: 'command-result',
      seq: 2,
      id: command.id,
      status: 'rejected',
      result: { reason: 'busy' },
    });
    expect(await commandOf(d, id, 'REJECTED')).toMatchObject({ result: { reason: 'busy' } });
    device.close();
  });

  it('expire when the device stays offline past their time-to-live', async () => {
    const d = await registered('absent');
    const sent = await graphql(stack.apiUrl, SEND, {
      i: { tenantId: d.tenantId, deviceId: d.deviceId, name: 'ping', ttlSeconds: 1 },
    });
    expect(await commandOf(d, sent.data.sendCommand.commandId, 'EXPIRED')).toBeTruthy();
  });

  it('a retried request with the same command id queues one command', async () => {
    const d = await registered('dedup');
    const input = { tenantId: d.tenantId, deviceId: d.deviceId, name: 'ping', commandId: 'cmd-1' };
    await graphql(stack.apiUrl, SEND, { i: input });
    const again = await graphql(stack.apiUrl, SEND, { i: input });
    expect(again.data.sendCommand.device.commands).toEqual([{ id: 'cmd-1', status: 'PENDING' }]);
  });

  it('a command whose device disconnects before answering fails with the reason', async () => {
    const d = await registered('quitter');
    const device = await online(d);
    const sent = await graphql(stack.apiUrl, SEND, {
      i: { tenantId: d.tenantId, deviceId: d.deviceId, name: 'wait' },
    });
    await device.next((m) => m.type === 'command');
    device.close();
    expect(await commandOf(d, sent.data.sendCommand.commandId, 'FAILED')).toMatchObject({
      result: { reason: 'connection closed before the device answered' },
    });
  });
});
