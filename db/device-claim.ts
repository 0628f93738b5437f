import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { DeviceKey } from '../twins/ids';
import { writeAudit } from './audit-writer';
import {
  CLAIM_LOCK_POLICY,
  claimLockedUntil,
  clearClaimFailures,
  recordClaimFailure,
  type ClaimLockPolicy,
} from './claim-attempts';
import type { Database } from './client';
import { hashSecret, verifySecretOrDummy } from './credentials';
import { newSecretOf, type SecretForm } from './provisioning-store';
import { claimTokens, deviceCredentials, deviceProvisioning } from './schema';

/** A claim's answer: the device's new secret, or the refusal's code and message. */
export type ClaimOutcome = { secret: string } | { refused: string; message: string };

export interface ClaimOptions {
  now?: Date;
  policy?: ClaimLockPolicy;
  /** What the claim issues (default a device secret). */
  form?: SecretForm;
}

export const CLAIM_REFUSED = 'gateway:auth.claim-refused';
export const CLAIM_LOCKED = 'provisioning:claim.locked';

/**
 * A device presents its serial and claim token: when the claim is valid (known, not expired,
 * not spent), the device gets a new secret, stored hashed, and the token is spent — the first
 * successful claim is the only one, so a token read off a box after installation opens
 * nothing. Every refusal costs the same scrypt (a dummy hash for an unknown serial) and reads
 * the same, so neither time nor answer tells whether a serial exists; wrong claims count per
 * serial, known or not, and lock its claims for a while at the limit (db/claim-attempts.ts).
 */
export async function claimDevice(
  database: Database,
  key: DeviceKey,
  token: string,
  options: ClaimOptions = {},
): Promise<ClaimOutcome> {
  const { now = new Date(), policy = CLAIM_LOCK_POLICY, form = 'device-secret' } = options;
  const refused = { refused: CLAIM_REFUSED, message: 'unknown, expired or used claim' } as const;
  const lockedUntil = await claimLockedUntil(database, key, now);
  const [claim] = await database.db
    .select({ tokenHash: claimTokens.tokenHash })
    .from(claimTokens)
    .where(
      and(
        eq(claimTokens.tenantId, key.tenantId),
        eq(claimTokens.deviceId, key.deviceId),
        isNull(claimTokens.consumedAt),
        gt(claimTokens.expiresAt, now),
      ),
    );
  // Hashed whatever the outcome (locked, unknown, known), so all take as long.
  const valid = await verifySecretOrDummy(token, claim?.tokenHash);
  if (lockedUntil)
    return {
      refused: CLAIM_LOCKED,
      message: `too many wrong claims for this serial: locked until ${lockedUntil.toISOString()}`,
    };
  if (!claim || !valid) {
    await recordClaimFailure(database, key, now, policy);
    return refused;
  }
  const secret = newSecretOf(form);
  const secretHash = await hashSecret(secret);
  return database.db.transaction(async (tx) => {
    // Spent first: of two claims racing with the same token, the second waits on this row
    // and then finds it spent, so only one secret is ever issued.
    const spent = await tx
      .update(claimTokens)
      .set({ consumedAt: now, lastClaimedAt: now, updatedAt: now })
      .where(
        and(
          eq(claimTokens.tenantId, key.tenantId),
          eq(claimTokens.deviceId, key.deviceId),
          eq(claimTokens.tokenHash, claim.tokenHash),
          isNull(claimTokens.consumedAt),
        ),
      )
      .returning({ deviceId: claimTokens.deviceId });
    if (spent.length === 0) return refused;
    // A revoked credential (the device was retired or replaced meanwhile) is never revived.
    const written = await tx
      .insert(deviceCredentials)
      .values({ ...key, secretHash })
      .onConflictDoUpdate({
        target: [deviceCredentials.tenantId, deviceCredentials.deviceId],
        set: { secretHash, updatedAt: now },
        setWhere: isNull(deviceCredentials.revokedAt),
      })
      .returning({ deviceId: deviceCredentials.deviceId });
    if (written.length === 0) return refused;
    await clearClaimFailures(tx, key);
    await writeAudit(tx, [
      {
        tenantId: key.tenantId,
        actor: 'device',
        role: 'twin',
        operation: 'device.credentials-claimed',
        input: {},
        outcome: 'ok',
        subject: `device:${key.deviceId}`,
        reason: 'the device presented a valid claim token (now spent); a new secret was issued',
        before: null,
        after: { secret: 'issued (hash stored)' },
      },
    ]);
    await tx
      .update(deviceProvisioning)
      .set({
        claimedAt: sql`coalesce(${deviceProvisioning.claimedAt}, ${now.toISOString()}::timestamptz)`,
        updatedAt: now,
      })
      .where(
        and(
          eq(deviceProvisioning.tenantId, key.tenantId),
          eq(deviceProvisioning.deviceId, key.deviceId),
        ),
      );
    return { secret };
  });
}
