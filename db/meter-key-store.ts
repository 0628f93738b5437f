import { and, eq } from 'drizzle-orm';
import type { DeviceKey } from '../twins/ids';
import type { MeterPublicKey } from '../twins/sessions';
import { writeAudit } from './audit-writer';
import type { Database } from './client';
import { deviceTwins, meterPublicKeys } from './schema';
import { DoppelError } from '../twins/errors';

export type StoredMeterKey = typeof meterPublicKeys.$inferSelect;

/** Who changes a station's meter key. */
export interface MeterKeyChange extends DeviceKey {
  actor: string;
  role: string;
}

const ofDevice = (key: DeviceKey) =>
  and(eq(meterPublicKeys.tenantId, key.tenantId), eq(meterPublicKeys.deviceId, key.deviceId));

/**
 * Registers, rotates (`publicKey` another key) or removes (`null`) the meter public key of a
 * station, with an audit entry saying who changed it, when, from what to what — in one
 * transaction. The key it has already (or removing none) changes nothing and adds no entry
 * (the API's own entry records the call). A device that does not exist:
 * `twin:device.not-found`. Answers the key now registered and the one it replaced.
 */
export async function setMeterPublicKey(
  database: Database,
  change: MeterKeyChange,
  publicKey: MeterPublicKey | null,
): Promise<{ current: StoredMeterKey | null; replaced: StoredMeterKey | null }> {
  const at = new Date().toISOString();
  return database.db.transaction(async (tx) => {
    const [device] = await tx
      .select({ deviceId: deviceTwins.deviceId })
      .from(deviceTwins)
      .where(
        and(eq(deviceTwins.tenantId, change.tenantId), eq(deviceTwins.deviceId, change.deviceId)),
      );
    if (!device)
      throw new DoppelError('twin:device.not-found', `device ${change.deviceId} does not exist`);
    const [replaced] = await tx
      .select()
      .from(meterPublicKeys)
      .where(ofDevice(change))
      .for('update');
    if ((replaced?.publicKey ?? null) === (publicKey?.hex ?? null))
      return { current: replaced ?? null, replaced: null };
    let current: StoredMeterKey | null = null;
    if (publicKey === null) await tx.delete(meterPublicKeys).where(ofDevice(change));
    else {
      const row = {
        tenantId: change.tenantId,
        deviceId: change.deviceId,
        publicKey: publicKey.hex,
        curve: publicKey.curve,
        signingMethod: publicKey.signingMethod,
        registeredBy: change.actor,
        registeredAt: at,
      };
      const [written] = await tx
        .insert(meterPublicKeys)
        .values(row)
        .onConflictDoUpdate({
          target: [meterPublicKeys.tenantId, meterPublicKeys.deviceId],
          set: row,
        })
        .returning();
      current = written ?? null;
    }
    const shown = (k: StoredMeterKey | null | undefined) =>
      k ? { publicKey: k.publicKey, curve: k.curve, signingMethod: k.signingMethod } : null;
    await writeAudit(tx, [
      {
        tenantId: change.tenantId,
        actor: change.actor,
        role: change.role,
        operation: 'setMeterPublicKey',
        subject: `device:${change.deviceId}`,
        input: { deviceId: change.deviceId },
        outcome: 'ok',
        before: shown(replaced),
        after: shown(current),
        at,
      },
    ]);
    return { current, replaced: replaced ?? null };
  });
}

/** The meter public key registered for a station, or null. */
export async function findMeterPublicKey(
  database: Database,
  key: DeviceKey,
): Promise<StoredMeterKey | null> {
  const [row] = await database.db.select().from(meterPublicKeys).where(ofDevice(key));
  return row ?? null;
}
