import type { Backend, BackendMatch, OcppBackend } from './backend';

export interface RoutedDevice {
  readonly deviceId: string;
  readonly model: string | null;
}

/** Whether a backend's match takes this device. */
export function matches(match: BackendMatch, device: RoutedDevice): boolean {
  if (match.devices && !match.devices.includes(device.deviceId)) return false;
  if (match.models && (device.model === null || !match.models.includes(device.model))) return false;
  return true;
}

/**
 * Whether two matches could take the same device (conservative: only lists with no common
 * entry make them disjoint).
 */
export function overlap(a: BackendMatch, b: BackendMatch): boolean {
  const disjoint = (x?: string[], y?: string[]) =>
    x !== undefined && y !== undefined && !x.some((v) => y.includes(v));
  return !disjoint(a.devices, b.devices) && !disjoint(a.models, b.models);
}

/** The enabled backends of a tenant that take this device. */
export function routesOf<B extends Backend>(backends: readonly B[], device: RoutedDevice): B[] {
  return backends.filter((b) => b.enabled && matches(b.match, device));
}

/**
 * The enabled primary OCPP backends that would share a device with `candidate`: a tenant may
 * have several primaries, but never two for one station (its answers must come from one).
 */
export function conflictingPrimaries(
  candidate: Backend,
  others: readonly Backend[],
): OcppBackend[] {
  if (candidate.kind !== 'ocpp' || candidate.role !== 'primary' || !candidate.enabled) return [];
  return others.filter(
    (b): b is OcppBackend =>
      b.kind === 'ocpp' &&
      b.id !== candidate.id &&
      b.role === 'primary' &&
      b.enabled &&
      overlap(b.match, candidate.match),
  );
}
