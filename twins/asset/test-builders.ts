import { isRejection } from '../errors';
import type { AssetCommand } from './commands';
import { decide } from './decide';
import type { DeviceStatus } from './device-status';
import type { AssetEvent } from './events';
import { evolveAll } from './evolve';
import { initialAssetState, type AssetTwinState } from './state';

export const aKey = { tenantId: 'acme', assetId: 'bay-3' };

/** Second `s` of 2026-01-01, as the ISO time twins take as input. */
export const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

export const create = (extra: Partial<Extract<AssetCommand, { type: 'create' }>> = {}) =>
  ({
    type: 'create',
    at: at(0),
    actor: 'api',
    name: 'Bay 3',
    kind: 'charger-bay',
    siteId: 'depot-north',
    customerId: 'fleetco',
    ...extra,
  }) as const satisfies AssetCommand;

export const bind = (
  deviceId: string,
  s = 1,
  status: DeviceStatus | null = null,
): AssetCommand => ({
  type: 'bind',
  at: at(s),
  actor: 'api',
  deviceId,
  status,
});

export const unbind = (s: number, deviceId?: string): AssetCommand => ({
  type: 'unbind',
  at: at(s),
  actor: 'api',
  ...(deviceId ? { deviceId } : {}),
});

/** A device status as a device twin sends it (test-data builder). */
export const aStatus = (update: Partial<DeviceStatus> = {}): DeviceStatus => ({
  deviceId: 'c-17',
  lifecycle: 'active',
  connectivity: 'online',
  version: 5,
  at: at(2),
  ...update,
});

export const status = (update: Partial<DeviceStatus> = {}): AssetCommand => ({
  type: 'device-status',
  status: aStatus(update),
});

/** Runs commands through decide/evolve the way the workflow does, keeping rejections and events. */
export function run(commands: AssetCommand[], start: AssetTwinState = initialAssetState(aKey)) {
  let state = start;
  const rejections: string[] = [];
  const events: AssetEvent[] = [];
  for (const cmd of commands) {
    const out = decide(state, cmd);
    if (isRejection(out)) rejections.push(out.code);
    else {
      events.push(...out);
      state = evolveAll(state, out);
    }
  }
  return { state, rejections, events };
}
