import { randomBytes, randomInt } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { DeviceKey } from '../twins/ids';
import type { ProvisionRequest } from '../twins/provisioning/request';
import { statusChangeRow, writeAudit } from './audit-writer';
import type { Database } from './client';
import { admissionHooks, claimTokens, deviceCredentials, deviceProvisioning } from './schema';

/** A new device secret: 24 random bytes, shown once. */
export const newDeviceSecret = () => `dpl_${randomBytes(24).toString('base64url')}`;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/**
 * A new password for a charging station that claimed its identity: 20 letters and digits
 * (119 random bits). Twenty bytes is the most a 1.6 station keeps (the security whitepaper's
 * AuthorizationKey is 16–20 bytes, set as 32–40 hex digits), and letters and digits are valid
 * in any 2.0.1 `BasicAuthPassword` (passwordString, 16–40 characters).
 */
export const newStationPassword = () =>
  Array.from({ length: 20 }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');
/**
 * What a device is given to log in with: a device secret (JSON, MQTT), or a password an OCPP
 * station can keep (1.6 AuthorizationKey, 2.0.1 BasicAuthPassword: see newStationPassword).
 */
export type SecretForm = 'device-secret' | 'station-password';
export const newSecretOf = (form: SecretForm) =>
  form === 'station-password' ? newStationPassword() : newDeviceSecret();
/** A new claim token: 18 random bytes, shown once (or printed on the device). */
export const newClaimToken = () => `clm_${randomBytes(18).toString('base64url')}`;

/** The identity to show once: a new secret (credentials), or the given or a new claim token. */
export const newIdentity = (
  method: 'credentials' | 'claim',
  claimToken?: string,
  form: SecretForm = 'device-secret',
) => (method === 'credentials' ? newSecretOf(form) : (claimToken ?? newClaimToken()));

/** The form of secret a device of this protocol can keep: a station's is a password it can store. */
export const secretFormOf = (protocol: string | undefined): SecretForm =>
  protocol?.startsWith('ocpp') ? 'station-password' : 'device-secret';

export interface ProvisioningRecord {
  tenantId: string;
  deviceId: string;
  workflowId: string;
  status: string;
  reason: string | null;
  method: string;
  request: Omit<ProvisionRequest, 'claimToken'>;
  requestedBy: string;
  requestedAt: string;
  activatedAt?: string | null;
}

/** Creates or updates a serial's provisioning record (the workflow's projection). */
export async function recordProvisioning(
  database: Database,
  record: ProvisioningRecord,
): Promise<void> {
  const values = {
    ...record,
    requestedAt: new Date(record.requestedAt),
    activatedAt: record.activatedAt ? new Date(record.activatedAt) : null,
  };
  await database.db.transaction(async (tx) => {
    const [before] = await tx
      .select({ status: deviceProvisioning.status })
      .from(deviceProvisioning)
      .where(
        and(
          eq(deviceProvisioning.tenantId, record.tenantId),
          eq(deviceProvisioning.deviceId, record.deviceId),
        ),
      )
      .for('update');
    await tx
      .insert(deviceProvisioning)
      .values(values)
      .onConflictDoUpdate({
        target: [deviceProvisioning.tenantId, deviceProvisioning.deviceId],
        set: {
          status: values.status,
          reason: values.reason,
          request: values.request,
          activatedAt: values.activatedAt,
          updatedAt: new Date(),
        },
      });
    // Each step of a provisioning (admitted, awaiting activation, active, failed) is audited.
    if (before?.status !== record.status)
      await writeAudit(tx, [
        statusChangeRow({
          tenantId: record.tenantId,
          actor: before ? `provisioning:${record.deviceId}` : record.requestedBy,
          operation: 'provisioning.status-changed',
          subject: `device:${record.deviceId}`,
          reason: record.reason ?? null,
          before: before?.status ?? null,
          after: record.status,
        }),
      ]);
  });
}

export async function findProvisioning(database: Database, key: DeviceKey) {
  const [row] = await database.db
    .select()
    .from(deviceProvisioning)
    .where(
      and(
        eq(deviceProvisioning.tenantId, key.tenantId),
        eq(deviceProvisioning.deviceId, key.deviceId),
      ),
    );
  return row ?? null;
}

/**
 * Creates the device's identity from a hash computed by the API (idempotent: a retried
 * activity finds the row it wrote). Credentials: the device's secret. Claim: the claim token,
 * usable once, until `expiresAt`.
 */
export async function storeIdentity(
  database: Database,
  key: DeviceKey,
  identity: { method: 'credentials' | 'claim'; hash: string; expiresAt: string },
): Promise<void> {
  if (identity.method === 'credentials') {
    await database.db
      .insert(deviceCredentials)
      .values({ ...key, secretHash: identity.hash })
      .onConflictDoNothing();
    return;
  }
  await database.db
    .insert(claimTokens)
    .values({ ...key, tokenHash: identity.hash, expiresAt: new Date(identity.expiresAt) })
    .onConflictDoNothing();
}

/** Activation was verified: the claim token is spent. */
export async function consumeClaim(database: Database, key: DeviceKey, at: Date): Promise<void> {
  await database.db
    .update(claimTokens)
    .set({ consumedAt: at, updatedAt: at })
    .where(
      and(
        eq(claimTokens.tenantId, key.tenantId),
        eq(claimTokens.deviceId, key.deviceId),
        isNull(claimTokens.consumedAt),
      ),
    );
}

export interface AdmissionHook {
  url: string;
  secret: string;
  timeoutMs: number;
}

export async function findAdmissionHook(
  database: Database,
  tenantId: string,
): Promise<AdmissionHook | null> {
  const [row] = await database.db
    .select({
      url: admissionHooks.url,
      secret: admissionHooks.secret,
      timeoutMs: admissionHooks.timeoutMs,
    })
    .from(admissionHooks)
    .where(eq(admissionHooks.tenantId, tenantId));
  return row ?? null;
}

export async function setAdmissionHook(
  database: Database,
  tenantId: string,
  hook: AdmissionHook,
): Promise<void> {
  await database.db
    .insert(admissionHooks)
    .values({ tenantId, ...hook })
    .onConflictDoUpdate({
      target: admissionHooks.tenantId,
      set: { ...hook, updatedAt: new Date() },
    });
}

export async function removeAdmissionHook(database: Database, tenantId: string): Promise<boolean> {
  const rows = await database.db
    .delete(admissionHooks)
    .where(eq(admissionHooks.tenantId, tenantId))
    .returning({ tenantId: admissionHooks.tenantId });
  return rows.length > 0;
}
