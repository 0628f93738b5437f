/**
 * What a device's status means, whatever the protocol calls it. Dashboards, alarms and
 * rollouts reason about these few meanings, never about a vendor's or an OCPP version's words.
 */
export const CANONICAL_STATES = [
  'available',
  'occupied',
  'charging',
  'faulted',
  'unavailable',
  'reserved',
  'unknown',
] as const;
export type CanonicalState = (typeof CANONICAL_STATES)[number];

export function isCanonicalState(value: unknown): value is CanonicalState {
  return typeof value === 'string' && (CANONICAL_STATES as readonly string[]).includes(value);
}
