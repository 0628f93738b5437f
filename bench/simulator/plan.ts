/**
 * The fleet as a list of devices: ids per kind, their registered model, the source address
 * each connects from, and how the list is cut into worker slices.
 */
import type { FleetOptions } from './options';

export type DeviceKind = 'ocpp16' | 'ocpp201' | 'mqtt' | 'json';

export interface DeviceSpec {
  kind: DeviceKind;
  /** Position in the whole fleet: seeds the device's random choices. */
  index: number;
  deviceId: string;
  model: string;
}

/** A device ready to connect: its token, and the local address to connect from (if any). */
export interface ReadyDevice extends DeviceSpec {
  token: string;
  localAddress?: string;
}

export const MODELS: Record<DeviceKind, string> = {
  ocpp16: 'SIM-AC22',
  ocpp201: 'SIM-DC150',
  mqtt: 'sim-env-sensor',
  json: 'sim-meter',
};

const ID_PART: Record<DeviceKind, string> = {
  ocpp16: 'o16',
  ocpp201: 'o201',
  mqtt: 'mqtt',
  json: 'json',
};

export function planFleet(options: Pick<FleetOptions, 'counts' | 'idPrefix'>): DeviceSpec[] {
  const specs: DeviceSpec[] = [];
  for (const kind of ['ocpp16', 'ocpp201', 'mqtt', 'json'] as const) {
    for (let i = 1; i <= options.counts[kind]; i++) {
      specs.push({
        kind,
        index: specs.length,
        deviceId: `${options.idPrefix}-${ID_PART[kind]}-${String(i).padStart(5, '0')}`,
        model: MODELS[kind],
      });
    }
  }
  return specs;
}

/** True when the gateway is on loopback, where every 127.0.0.x can be a source address. */
export function isLoopback(gatewayUrl: string): boolean {
  const host = new URL(gatewayUrl).hostname;
  return host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** localhost may resolve to ::1, which an IPv4 source address cannot reach: use 127.0.0.1. */
export function ipv4Gateway(gatewayUrl: string): string {
  const url = new URL(gatewayUrl);
  if (url.hostname === 'localhost') url.hostname = '127.0.0.1';
  return url.toString().replace(/\/+$/, '');
}

/**
 * Interleaves kinds (so every slice and every ramp-up second has a mix) and assigns source
 * addresses 127.0.0.1, 127.0.0.2, … round-robin: each address has its own ~28,000 ephemeral
 * ports.
 */
export function assignAddresses(
  devices: ReadyDevice[],
  sourceAddresses: number,
  loopback: boolean,
): ReadyDevice[] {
  const perKind = new Map<DeviceKind, number>();
  const position = new Map<ReadyDevice, number>();
  for (const d of devices) {
    const n = perKind.get(d.kind) ?? 0;
    position.set(d, n);
    perKind.set(d.kind, n + 1);
  }
  const share = (d: ReadyDevice) => position.get(d)! / perKind.get(d.kind)!;
  const mixed = [...devices].sort((a, b) => share(a) - share(b) || a.index - b.index);
  const addresses = Math.min(sourceAddresses, 254);
  return mixed.map((device, i) =>
    loopback && addresses > 1
      ? { ...device, localAddress: `127.0.0.${1 + (i % addresses)}` }
      : device,
  );
}

/** Cuts the fleet into `n` slices of about equal size. */
export function slices<T>(items: T[], n: number): T[][] {
  const out: T[][] = Array.from({ length: n }, () => []);
  items.forEach((item, i) => out[i % n]!.push(item));
  return out;
}
