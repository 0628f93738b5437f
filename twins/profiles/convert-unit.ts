import { unitSpec } from './units';

/**
 * Significant digits kept after a conversion. Enough to drop binary noise (77 °F is 25 °C, not
 * 25.000000000000004) while keeping every digit a real meter register has: 6 digits would
 * round 123,456,789 Wh to 123,457 kWh and lose 211 Wh of a billed session.
 */
export const SIGNIFICANT_DIGITS = 12;

export function roundSignificant(value: number, digits = SIGNIFICANT_DIGITS): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  return Number(value.toPrecision(digits));
}

/**
 * Converts a number between two units of one dimension, rounded to `SIGNIFICANT_DIGITS`.
 * Returns `undefined` for unknown or incompatible units; profiles are checked for both when
 * they are parsed, so a profile-driven conversion never meets that case.
 *
 * @example convertUnit(77, '°F', '°C') === 25
 * @example convertUnit(1500, 'W', 'kW') === 1.5
 */
export function convertUnit(value: number, from: string, to: string): number | undefined {
  const source = unitSpec(from);
  const target = unitSpec(to);
  if (source === undefined || target === undefined) return undefined;
  if (source.dimension !== target.dimension) return undefined;
  if (from === to) return value;
  const base = (value + source.offset) * source.factor;
  return roundSignificant(base / target.factor - target.offset);
}
