/** The measurand a sampled value means when it names none (both versions). */
const DEFAULT_MEASURAND = 'Energy.Active.Import.Register';

export interface MeterReading {
  value: number | string;
  unit: string | null;
  at: string;
}

interface SampledValue16 {
  value: string;
  measurand?: string;
  phase?: string;
  unit?: string;
}

interface SampledValue201 {
  value: number;
  measurand?: string;
  phase?: string;
  unitOfMeasure?: { unit?: string; multiplier?: number };
}

export interface MeterValue<S> {
  timestamp: string;
  sampledValue: S[];
}

export type MeterValue16 = MeterValue<SampledValue16>;
export type MeterValue201 = MeterValue<SampledValue201>;

/** `Energy.Active.Import.Register`, or `Voltage.L1-N` for a per-phase value. */
const keyOf = (s: { measurand?: string; phase?: string }) =>
  `${s.measurand ?? DEFAULT_MEASURAND}${s.phase ? `.${s.phase}` : ''}`;

/** 1.6 sends values as text; numbers become numbers, anything else (signed data) stays text. */
const numeric = (text: string): number | string => {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
};

function latest<S>(
  values: readonly MeterValue<S>[],
  read: (s: S) => { key: string; value: number | string; unit: string | null },
): Record<string, MeterReading> {
  const out: Record<string, MeterReading> = {};
  for (const { timestamp, sampledValue } of values) {
    for (const sample of sampledValue) {
      const { key, value, unit } = read(sample);
      const known = out[key];
      if (!known || Date.parse(known.at) <= Date.parse(timestamp))
        out[key] = { value, unit, at: timestamp };
    }
  }
  return out;
}

/**
 * The latest reading per measurand (and phase) in a MeterValues or transaction message.
 *
 * @example latestReadings16([{ timestamp: t, sampledValue: [{ value: '1500' }] }])
 *   // → { 'Energy.Active.Import.Register': { value: 1500, unit: null, at: t } }
 */
const latestReadings16 = (values: readonly MeterValue16[]) =>
  latest(values, (s) => ({ key: keyOf(s), value: numeric(s.value), unit: s.unit ?? null }));

export const latestReadings201 = (values: readonly MeterValue201[]) =>
  latest(values, (s) => ({
    key: keyOf(s),
    value: s.value * 10 ** (s.unitOfMeasure?.multiplier ?? 0),
    unit: s.unitOfMeasure?.unit ?? null,
  }));

/** The energy register in Wh, when the readings carry one in Wh or kWh. */
export function energyWh(readings: Record<string, MeterReading>): number | null {
  const energy = readings[DEFAULT_MEASURAND];
  if (!energy || typeof energy.value !== 'number') return null;
  return energy.unit === 'kWh' ? energy.value * 1000 : energy.value;
}

type Sample = { at: string; channel: string; values: Record<string, number | string> };

function samples<S>(
  values: readonly MeterValue<S>[],
  channel: string,
  read: (s: S) => { key: string; value: number | string },
): Sample[] {
  return values
    .map(({ timestamp, sampledValue }) => ({
      at: timestamp,
      channel,
      values: Object.fromEntries(sampledValue.map((s) => [read(s).key, read(s).value])),
    }))
    .filter((s) => Object.keys(s.values).length > 0);
}

/**
 * Every meter value as a telemetry sample (measurand → value, per timestamp), for the
 * batched telemetry path: the full series goes to PostgreSQL, the twin keeps the latest.
 */
const telemetrySamples16 = (values: readonly MeterValue16[], connectorId: number) =>
  samples(values, `connector:${connectorId}`, (s) => ({ key: keyOf(s), value: numeric(s.value) }));

const telemetrySamples201 = (values: readonly MeterValue201[], evseId: number) =>
  samples(values, `evse:${evseId}`, (s) => ({
    key: keyOf(s),
    value: s.value * 10 ** (s.unitOfMeasure?.multiplier ?? 0),
  }));

/**
 * What a message's meter values tell, the same for MeterValues, 1.6 StopTransaction
 * `transactionData` and 2.0.1 TransactionEvent `meterValue`: every sample for the telemetry
 * store, the latest reading per measurand for the twin (which keeps the newest by time).
 */
function meterOutcome(
  readings: Record<string, MeterReading>,
  telemetry: Sample[],
): { report: { meter?: Record<string, MeterReading> }; telemetry?: Sample[] } {
  return {
    report: Object.keys(readings).length > 0 ? { meter: readings } : {},
    ...(telemetry.length > 0 ? { telemetry } : {}),
  };
}

export const meterOutcome16 = (values: readonly MeterValue16[], connectorId: number) =>
  meterOutcome(latestReadings16(values), telemetrySamples16(values, connectorId));

export const meterOutcome201 = (values: readonly MeterValue201[], evseId: number) =>
  meterOutcome(latestReadings201(values), telemetrySamples201(values, evseId));
