import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { PgTransaction } from 'drizzle-orm/pg-core';
import type { DeviceKey } from '../twins/ids';
import type { Database } from './client';
import { claimAttempts } from './schema';

/**
 * How many wrong claims a serial takes: `maxFailures` within `windowS` lock its claims for
 * `lockS`. A claim token of 132 bits cannot be guessed in any number of tries; the limit is
 * for the operator-chosen ones, whose real entropy nobody can see.
 */
export interface ClaimLockPolicy {
  maxFailures: number;
  windowS: number;
  lockS: number;
}

export const CLAIM_LOCK_POLICY: ClaimLockPolicy = { maxFailures: 5, windowS: 900, lockS: 900 };

type Tx = PgTransaction<any, any, any>;

/** Until when the serial's claims are locked, or null. */
export async function claimLockedUntil(
  { db }: Database,
  key: DeviceKey,
  now: Date,
): Promise<Date | null> {
  const [row] = await db
    .select({ lockedUntil: claimAttempts.lockedUntil })
    .from(claimAttempts)
    .where(
      and(
        eq(claimAttempts.tenantId, key.tenantId),
        eq(claimAttempts.deviceId, key.deviceId),
        gt(claimAttempts.lockedUntil, now),
      ),
    );
  return row?.lockedUntil ?? null;
}

/**
 * Counts a failed claim (known serial or not) and locks the serial at the limit. Rows whose
 * window and lock are both over say nothing any more and are pruned here, so serials an
 * attacker makes up do not pile up.
 */
export async function recordClaimFailure(
  { db }: Database,
  key: DeviceKey,
  now: Date,
  policy: ClaimLockPolicy = CLAIM_LOCK_POLICY,
): Promise<void> {
  const at = now.toISOString();
  const windowStart = new Date(now.getTime() - policy.windowS * 1000).toISOString();
  const lockEnd = new Date(now.getTime() + policy.lockS * 1000).toISOString();
  // A failure after the window restarts the count instead of adding to an old one.
  const stale = sql`${claimAttempts.firstFailedAt} <= ${windowStart}::timestamptz`;
  const failures = sql`case when ${stale} then 1 else ${claimAttempts.failures} + 1 end`;
  await db
    .insert(claimAttempts)
    .values({
      ...key,
      failures: 1,
      firstFailedAt: now,
      lockedUntil: policy.maxFailures <= 1 ? new Date(lockEnd) : null,
      updatedAt: now,
    })
    .onConflictDoUpdate({
      target: [claimAttempts.tenantId, claimAttempts.deviceId],
      set: {
        failures,
        firstFailedAt: sql`case when ${stale} then ${at}::timestamptz else ${claimAttempts.firstFailedAt} end`,
        lockedUntil: sql`case when ${failures} >= ${policy.maxFailures} then ${lockEnd}::timestamptz else ${claimAttempts.lockedUntil} end`,
        updatedAt: now,
      },
    });
  const inert = new Date(now.getTime() - Math.max(policy.windowS, policy.lockS) * 1000);
  await db.delete(claimAttempts).where(lt(claimAttempts.updatedAt, inert));
}

/** A successful claim forgets the serial's failures. */
export async function clearClaimFailures(tx: Tx, key: DeviceKey): Promise<void> {
  await tx
    .delete(claimAttempts)
    .where(and(eq(claimAttempts.tenantId, key.tenantId), eq(claimAttempts.deviceId, key.deviceId)));
}
