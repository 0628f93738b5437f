/**
 * The units a profile may name, as data. A hand-written table rather than a library: the
 * conversions twins need are all affine (factor and offset), the set must be closed so that a
 * profile naming an unknown unit is refused when it is loaded, and the symbols follow the
 * devices (°C, OCPP's `Celsius`, `Percent`, `kvarh`) rather than a library's spelling.
 */
export const DIMENSIONS = [
  'temperature',
  'energy',
  'power',
  'reactive-energy',
  'reactive-power',
  'apparent-power',
  'voltage',
  'current',
  'frequency',
  'pressure',
  'ratio',
  'duration',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface UnitSpec {
  readonly dimension: Dimension;
  /** base = (value + offset) × factor; each dimension's base unit has factor 1, offset 0. */
  readonly factor: number;
  readonly offset: number;
}

const unit = (dimension: Dimension, factor = 1, offset = 0): UnitSpec => ({
  dimension,
  factor,
  offset,
});

/** Symbols as devices send them; OCPP 2.0.1 spellings are aliases of the usual symbols. */
export const UNITS: Readonly<Record<string, UnitSpec>> = {
  '°C': unit('temperature'),
  Celsius: unit('temperature'),
  K: unit('temperature', 1, -273.15),
  '°F': unit('temperature', 5 / 9, -32),
  Fahrenheit: unit('temperature', 5 / 9, -32),
  Wh: unit('energy'),
  kWh: unit('energy', 1e3),
  MWh: unit('energy', 1e6),
  J: unit('energy', 1 / 3600),
  kJ: unit('energy', 1e3 / 3600),
  MJ: unit('energy', 1e6 / 3600),
  mW: unit('power', 1e-3),
  W: unit('power'),
  kW: unit('power', 1e3),
  MW: unit('power', 1e6),
  varh: unit('reactive-energy'),
  kvarh: unit('reactive-energy', 1e3),
  var: unit('reactive-power'),
  kvar: unit('reactive-power', 1e3),
  VA: unit('apparent-power'),
  kVA: unit('apparent-power', 1e3),
  mV: unit('voltage', 1e-3),
  V: unit('voltage'),
  kV: unit('voltage', 1e3),
  mA: unit('current', 1e-3),
  A: unit('current'),
  Hz: unit('frequency'),
  Pa: unit('pressure'),
  hPa: unit('pressure', 1e2),
  kPa: unit('pressure', 1e3),
  bar: unit('pressure', 1e5),
  '%': unit('ratio'),
  Percent: unit('ratio'),
  ms: unit('duration', 1e-3),
  s: unit('duration'),
  min: unit('duration', 60),
  h: unit('duration', 3600),
};

export const KNOWN_UNITS: readonly string[] = Object.keys(UNITS);

export function unitSpec(symbol: string): UnitSpec | undefined {
  return Object.hasOwn(UNITS, symbol) ? UNITS[symbol] : undefined;
}
