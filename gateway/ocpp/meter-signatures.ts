import type { Database } from '../../db/client';
import { findMeterPublicKey } from '../../db/meter-key-store';
import type { DeviceKey } from '../../twins/ids';
import { checkSignedValue, type MeterPublicKey, type SignedMeterValue } from '../../twins/sessions';
import type { StationFacts } from './station-alarms';

/**
 * Checks signed meter values as they arrive, against the meter key registered for the
 * station (docs/ocpp.md, "Signed meter values (OCMF)"). Only messages that carry signed values
 * pay for it: one key lookup per message, then the library's check per value — plain meter
 * values never come here. The key is read for every message, so a rotation counts at once.
 */
export class MeterSignatures {
  constructor(private readonly database: Database) {}

  /** The values, each with its check; unchanged when there are none. */
  async check(key: DeviceKey, values: SignedMeterValue[]): Promise<SignedMeterValue[]> {
    if (values.length === 0) return values;
    const stored = await findMeterPublicKey(this.database, key);
    const registered: MeterPublicKey | null = stored && {
      hex: stored.publicKey,
      curve: stored.curve as MeterPublicKey['curve'],
      signingMethod: stored.signingMethod as MeterPublicKey['signingMethod'],
    };
    return Promise.all(
      values.map(async (value) => ({
        ...value,
        verification: await checkSignedValue(value, registered),
      })),
    );
  }
}

/**
 * The alarm facts of checked values of a transaction: each invalid signature raises the
 * station's `MeterSignatureInvalid` alarm of that transaction; none when all are fine.
 */
export function invalidSignatures(
  transactionId: string,
  values: readonly SignedMeterValue[],
): StationFacts | undefined {
  const invalid = values.filter((v) => v.verification?.verdict === 'INVALID');
  return invalid.length === 0 ? undefined : { kind: 'signatures', transactionId, invalid };
}
