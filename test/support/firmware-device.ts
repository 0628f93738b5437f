import type { TestDevice } from './device-client';
import { eventually } from './graphql';
import type { TwinGraph } from './twin-graph';

/** Devices of firmwareDevice, closed by closeFirmwareDevices (each test file is its own process). */
const open: TestDevice[] = [];
export const closeFirmwareDevices = () => open.splice(0).forEach((d) => d.close());

export const START = `mutation ($t: ID!, $c: RolloutConfigInput!) { startRollout(tenantId: $t, rollout: $c) { workflowId created } }`;
export const ROLLOUT = `query ($t: ID!, $r: ID!) { rollout(tenantId: $t, rolloutId: $r) {
  status reason counts { pending skipped commanded succeeded failed aborted }
  devices { deviceId position status attempts detail result } } }`;
export const control = (name: string) =>
  `mutation ($i: RolloutControlInput!) { ${name}(input: $i) { accepted rolloutId workflowId rollout { status } } }`;

/** A rollout reads the device records: waits until this one shows the device active on `firmware`. */
export const untilActiveOn = (g: TwinGraph, deviceId: string, firmware: string) =>
  eventually(async () => {
    const { device: twin } = await g.ok(
      `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) { lifecycle { state } firmware } }`,
      { d: deviceId },
    );
    return twin?.lifecycle.state === 'ACTIVE' && twin.firmware === firmware ? twin : undefined;
  });

export type Behaviour = 'update' | 'reject' | 'stay';

/**
 * A device on `firmware` that, told to update, does what `behaviour` says: `update` answers
 * accepted, stays up on the old version for `rebootAfterMs` (downloading), then reboots into
 * the new version; `reject` refuses; `stay` accepts and never reboots.
 */
export async function firmwareDevice(
  g: TwinGraph,
  deviceId: string,
  token: string,
  firmware: string,
  behaviour: Behaviour,
  log: string[],
  rebootAfterMs = 1500,
): Promise<void> {
  const device = await g.connect(deviceId, token, firmware);
  open.push(device);
  await untilActiveOn(g, deviceId, firmware);
  void (async () => {
    const command = await device.next((m) => m.type === 'command', 120_000).catch(() => null);
    if (!command) return;
    log.push(`${deviceId}:${command.name}`);
    const params = command.params as { version: string };
    device.send({
      type: 'command-result',
      seq: 2,
      id: command.id,
      status: behaviour === 'reject' ? 'rejected' : 'accepted',
    });
    if (behaviour !== 'update') return;
    await new Promise((r) => setTimeout(r, rebootAfterMs));
    device.close();
    await firmwareDevice(g, deviceId, token, params.version, 'stay', log);
  })();
}

export async function rolloutOf(g: TwinGraph, rolloutId: string) {
  return (await g.ok(ROLLOUT, { r: rolloutId })).rollout;
}

export const untilRollout = (
  g: TwinGraph,
  rolloutId: string,
  done: (r: any) => boolean,
  timeoutMs = 45_000,
) =>
  eventually(async () => {
    const r = await rolloutOf(g, rolloutId);
    return r && done(r) ? r : undefined;
  }, timeoutMs);
