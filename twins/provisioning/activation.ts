import { jsonEqual } from '../json-equal';
import type { ActivationExpect } from './request';

/** What the device twin tells a provisioning workflow it has seen of the device. */
export interface ActivationObservation {
  /** The device has connected at least once since it was registered. */
  readonly connected: boolean;
  readonly model: string | null;
  readonly firmware: string | null;
  /** The watched reported fields (dot path → value; absent when not reported). */
  readonly reported: Readonly<Record<string, unknown>>;
  /** The twin's version when observed (later observations supersede earlier ones). */
  readonly version: number;
}

export const NOTHING_OBSERVED: ActivationObservation = {
  connected: false,
  model: null,
  firmware: null,
  reported: {},
  version: 0,
};

/**
 * Whether activation is verified, and if not, what is missing — in words an operator can act on.
 *
 * @example activationVerdict({ firmware: '2.0' }, { ...NOTHING_OBSERVED, connected: true, firmware: '1.9' })
 *   // { verified: false, missing: ['firmware 1.9 reported, 2.0 expected'] }
 */
export function activationVerdict(
  expect: ActivationExpect,
  seen: ActivationObservation,
): { verified: true } | { verified: false; missing: string[] } {
  if (!seen.connected) return { verified: false, missing: ['the device never connected'] };
  const missing: string[] = [];
  if (expect.model !== undefined && seen.model !== expect.model)
    missing.push(`model ${seen.model ?? '(none)'} reported, ${expect.model} expected`);
  if (expect.firmware !== undefined && seen.firmware !== expect.firmware)
    missing.push(`firmware ${seen.firmware ?? '(none)'} reported, ${expect.firmware} expected`);
  for (const [path, value] of Object.entries(expect.reported ?? {})) {
    if (!(path in seen.reported))
      missing.push(`${path} not reported, ${JSON.stringify(value)} expected`);
    else if (!jsonEqual(seen.reported[path], value))
      missing.push(
        `${path} is ${JSON.stringify(seen.reported[path])}, ${JSON.stringify(value)} expected`,
      );
  }
  return missing.length === 0 ? { verified: true } : { verified: false, missing };
}
