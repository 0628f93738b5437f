import { describe, expect, it } from 'vitest';
import { convertUnit, roundSignificant } from './convert-unit';

describe('convertUnit', () => {
  it.each([
    { value: 77, from: '°F', to: '°C', want: 25 },
    { value: 32, from: '°F', to: '°C', want: 0 },
    { value: -40, from: 'Fahrenheit', to: 'Celsius', want: -40 },
    { value: 70, from: '°F', to: '°C', want: 21.1111111111 },
    { value: 298.15, from: 'K', to: '°C', want: 25 },
    { value: 0, from: 'K', to: '°C', want: -273.15 },
    { value: 25, from: '°C', to: '°F', want: 77 },
    { value: 25, from: '°C', to: 'K', want: 298.15 },
    { value: 1500, from: 'Wh', to: 'kWh', want: 1.5 },
    { value: 123_456_789, from: 'Wh', to: 'kWh', want: 123_456.789 },
    { value: 2.5, from: 'MWh', to: 'kWh', want: 2500 },
    { value: 3_600_000, from: 'J', to: 'kWh', want: 1 },
    { value: 7.2, from: 'MJ', to: 'kWh', want: 2 },
    { value: 1500, from: 'W', to: 'kW', want: 1.5 },
    { value: 7_400_000, from: 'mW', to: 'kW', want: 7.4 },
    { value: 300, from: 'mW', to: 'W', want: 0.3 },
    { value: 0.022, from: 'MW', to: 'kW', want: 22 },
    { value: 11, from: 'kW', to: 'W', want: 11_000 },
    { value: 2500, from: 'varh', to: 'kvarh', want: 2.5 },
    { value: 230_100, from: 'mV', to: 'V', want: 230.1 },
    { value: 16_000, from: 'mA', to: 'A', want: 16 },
    { value: 1013.25, from: 'hPa', to: 'Pa', want: 101_325 },
    { value: 1.2, from: 'bar', to: 'kPa', want: 120 },
    { value: 90, from: 'min', to: 's', want: 5400 },
    { value: 1500, from: 'ms', to: 's', want: 1.5 },
    { value: 55, from: 'Percent', to: '%', want: 55 },
    { value: 21.123456789, from: '°C', to: '°C', want: 21.123456789 },
  ])('$value $from is $want $to', ({ value, from, to, want }) => {
    expect(convertUnit(value, from, to)).toBe(want);
  });

  it.each([
    { from: 'W', to: 'kWh', why: 'power is not energy' },
    { from: '°C', to: '%', why: 'temperature is not a ratio' },
    { from: 'degF', to: '°C', why: 'degF is not a known unit' },
    { from: 'kWh', to: 'kwh', why: 'symbols are case-sensitive (kwh is unknown)' },
    { from: 'toString', to: 'W', why: 'inherited object keys are not units' },
  ])('refuses $from → $to: $why', ({ from, to }) => {
    expect(convertUnit(1, from, to)).toBeUndefined();
  });
});

describe('roundSignificant', () => {
  it.each([
    { value: 25.000000000000004, want: 25 },
    { value: 0.30000000000000004, want: 0.3 },
    { value: 123_456.78912345678, want: 123_456.789123 },
    { value: -0.000123456789012345, want: -0.000123456789012 },
    { value: 0, want: 0 },
  ])('keeps 12 significant digits of $value', ({ value, want }) => {
    expect(roundSignificant(value)).toBe(want);
  });
});
