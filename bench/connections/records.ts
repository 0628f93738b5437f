import { randomBytes } from 'node:crypto';
import { hashSecret } from '../../db/credentials';
import type { Database } from '../../db/client';
import { deviceCredentials, deviceTwins } from '../../db/schema';
import { recordRow } from '../../db/device-record';
import { decide, evolve, initialDeviceState, type DeviceTwinState } from '../../twins/device';
import { isRejection } from '../../twins/errors';

/** The devices `c-0` … `c-<n-1>` of a tenant. */
export const deviceIds = (from: number, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `c-${from + i}`);

/**
 * Seeds `n` devices straight into PostgreSQL: a credential (one shared secret, hashed once:
 * registration is not what is measured) and an **active** device record, as a fleet that has
 * run before holds them. Pre-activated on purpose: a first connection of a `provisioned`
 * device is an activation notice for its twin (drained at TWIN_NOTICE_RATE, 200/s: 100,000
 * first connections are ~8 minutes of Temporal work on this box), which is provisioning's
 * cost, measured by the cost section; here every connect is the hot path alone.
 */
export async function seedActiveDevices(
  database: Database,
  tenantId: string,
  n: number,
): Promise<{ secret: string }> {
  return seedDevices(database, tenantId, deviceIds(0, n), { active: true });
}

/**
 * Seeds devices as registration in a batch leaves them (docs/architecture.md, "Starts
 * lazily"): a credential with one shared secret and a record made by the pure twin from a
 * `register` command — `provisioned`, no twin workflow yet (its first connection activates it
 * through a notice) — or, with `active`, already active as a fleet that has run before.
 */
export async function seedDevices(
  database: Database,
  tenantId: string,
  ids: readonly string[],
  options: { active?: boolean; model?: string } = {},
): Promise<{ secret: string }> {
  const secret = `dpl_${randomBytes(24).toString('base64url')}`;
  const secretHash = await hashSecret(secret);
  const at = new Date().toISOString();
  const recordOf = (deviceId: string): DeviceTwinState => {
    const initial = initialDeviceState({ tenantId, deviceId });
    if (options.active)
      return {
        ...initial,
        model: options.model ?? null,
        lifecycle: { state: 'active' as const, at, actor: 'bench', reason: 'activated' },
        version: 1,
        updatedAt: at,
      };
    const decided = decide(initial, {
      type: 'register',
      at,
      actor: 'bench',
      ...(options.model ? { model: options.model } : {}),
    });
    if (isRejection(decided)) throw new Error(`register refused: ${decided.message}`);
    return decided.reduce(evolve, initial);
  };
  for (let i = 0; i < ids.length; i += 2_000) {
    const batch = ids.slice(i, i + 2_000);
    await database.db
      .insert(deviceCredentials)
      .values(batch.map((deviceId) => ({ tenantId, deviceId, secretHash })));
    await database.db
      .insert(deviceTwins)
      .values(batch.map((deviceId) => recordRow(recordOf(deviceId))));
  }
  return { secret };
}

/** What the records say of a fleet (docs/scaling.md, "every twin consistent"). */
export interface FleetRecords {
  /** Records with a session (`device_twins.session_id is not null`). */
  withSession: number;
  /**
   * Consistent twins: ONLINE in the record, with an open session (`device_sessions`, not
   * closed) on one of the live gateways, no notice waiting for the twin, lifecycle ACTIVE.
   */
  consistent: number;
  /** Twin notices waiting (fleet-wide). */
  noticesWaiting: number;
}

export async function fleetRecords(
  database: Database,
  tenantId: string,
  liveGateways: readonly string[],
): Promise<FleetRecords> {
  const [row] = await database.sql<
    Array<{ with_session: string; consistent: string; notices: string }>
  >`
    select
      (select count(*) from device_twins where tenant_id = ${tenantId} and session_id is not null) as with_session,
      (select count(*) from device_twins t
         join device_sessions s on s.session_id = t.session_id and s.closed_at is null
        where t.tenant_id = ${tenantId}
          and t.connectivity = 'online'
          and t.lifecycle = 'active'
          and t.gateway_node = any(${liveGateways as string[]})
          and s.gateway_node = t.gateway_node
          and not exists (select 1 from twin_notices n
                           where n.tenant_id = t.tenant_id and n.device_id = t.device_id)) as consistent,
      (select count(*) from twin_notices) as notices`;
  return {
    withSession: Number(row!.with_session),
    consistent: Number(row!.consistent),
    noticesWaiting: Number(row!.notices),
  };
}

/** Devices whose reported `mark` is `value`: acknowledged reports found in the records. */
export async function markedRecords(
  database: Database,
  tenantId: string,
  value: string,
): Promise<number> {
  const [row] = await database.sql<Array<{ n: string }>>`
    select count(*) as n from device_twins
     where tenant_id = ${tenantId} and reported->>'mark' = ${value}`;
  return Number(row!.n);
}
