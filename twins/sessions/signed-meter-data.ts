import type { MeterSignatureCheck } from './meter-signature';

/**
 * Signed meter data (OCMF and the like) as the charger sent it. `data` is the string exactly
 * as received — never parsed, trimmed or re-encoded — because its signature covers those bytes.
 */
export interface SignedMeterValue {
  /** The meter value's timestamp, as the charger wrote it. */
  at: string;
  /** `Transaction.Begin`, `Transaction.End`, `Sample.Periodic`, … when the charger says it. */
  context: string | null;
  measurand: string | null;
  /** 1.6: `SignedData`; 2.0.1: null (the value is a signedMeterValue object). */
  format: string | null;
  data: string;
  signingMethod: string | null;
  encodingMethod: string | null;
  publicKey: string | null;
  /** The check against the station's registered meter key when it arrived (docs/ocpp.md). */
  verification?: MeterSignatureCheck;
}

interface MeterValue<S> {
  timestamp: string;
  sampledValue: readonly S[];
}

interface SampledValue16 {
  value: string;
  context?: string;
  format?: string;
  measurand?: string;
}

interface SampledValue201 {
  context?: string;
  measurand?: string;
  signedMeterValue?: {
    signedMeterData: string;
    signingMethod: string;
    encodingMethod: string;
    publicKey?: string;
  };
}

/**
 * The `SignedData` sampled values of OCPP 1.6 meter values (MeterValues, or StopTransaction's
 * `transactionData`).
 *
 * @example signedValues16([{ timestamp: t, sampledValue: [{ value: 'OCMF|{…}|{…}', format: 'SignedData' }] }])
 *   // → [{ at: t, data: 'OCMF|{…}|{…}', format: 'SignedData', … }]
 */
export function signedValues16(values: readonly MeterValue<SampledValue16>[]): SignedMeterValue[] {
  return values.flatMap(({ timestamp, sampledValue }) =>
    sampledValue
      .filter((s) => s.format === 'SignedData')
      .map((s) => ({
        at: timestamp,
        context: s.context ?? null,
        measurand: s.measurand ?? null,
        format: 'SignedData',
        data: s.value,
        signingMethod: null,
        encodingMethod: null,
        publicKey: null,
      })),
  );
}

/** The `signedMeterValue`s of OCPP 2.0.1 meter values (TransactionEvent, MeterValues). */
export function signedValues201(
  values: readonly MeterValue<SampledValue201>[],
): SignedMeterValue[] {
  return values.flatMap(({ timestamp, sampledValue }) =>
    sampledValue.flatMap((s) =>
      s.signedMeterValue
        ? [
            {
              at: timestamp,
              context: s.context ?? null,
              measurand: s.measurand ?? null,
              format: null,
              data: s.signedMeterValue.signedMeterData,
              signingMethod: s.signedMeterValue.signingMethod,
              encodingMethod: s.signedMeterValue.encodingMethod,
              publicKey: s.signedMeterValue.publicKey ?? null,
            },
          ]
        : [],
    ),
  );
}
