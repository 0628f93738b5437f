import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import {
  decide,
  evolve,
  initialDeviceState,
  DEFAULT_DEVICE_SETTINGS,
  type DeviceCommand,
  type DeviceEvent,
  type DeviceTwinState,
} from '../twins/device';
import { isRejection } from '../twins/errors';
import type { ProvisionRequest } from '../twins/provisioning/request';
import type { BulkKey, BulkRowStatus } from './bulk-provisioning-store';
import type { Database } from './client';
import { deviceAuditEntry } from '../twins/audit/device-audit';
import { twinAuditRow, writeAudit } from './audit-writer';
import { writeChanges, type Tx } from './device-projection';
import { recordRow as row } from './device-record';
import { appendChangesToOutbox } from './outbox-writer';
import {
  bulkProvisioningRows,
  claimTokens,
  deviceCredentials,
  deviceProvisioning,
  deviceTwins,
} from './schema';

/** What a row registered in a batch came to. */
export interface BatchRowResult {
  readonly position: number;
  readonly serial: string;
  readonly status: Exclude<BulkRowStatus, 'pending' | 'started'>;
  readonly reason: string | null;
}

export interface BatchRegistration extends BulkKey {
  readonly actor: string;
  /** When the file was accepted (ISO): claim tokens expire counting from it. */
  readonly requestedAt: string;
  /** Rows of the bulk to register (positions); those no longer pending are left alone. */
  readonly positions: readonly number[];
}

type Request = Omit<ProvisionRequest, 'claimToken'>;

/** The twin commands of a row: register, then its tags and desired configuration. */
function commandsOf(request: Request, actor: string, at: string): DeviceCommand[] {
  return [
    { type: 'register', at, actor, ...(request.model ? { model: request.model } : {}) },
    ...(request.tags ? [{ type: 'set-tags' as const, at, actor, tags: request.tags }] : []),
    ...(request.desired ? [{ type: 'desire' as const, at, actor, patch: request.desired }] : []),
  ];
}

/** The record of a new device after its commands, by the pure twin; a refusal's code and message. */
function registered(
  initial: DeviceTwinState,
  commands: readonly DeviceCommand[],
): { events: DeviceEvent[]; states: DeviceTwinState[] } | { refused: string } {
  const events: DeviceEvent[] = [];
  const states: DeviceTwinState[] = [];
  let state = initial;
  for (const command of commands) {
    const decision = decide(state, command, DEFAULT_DEVICE_SETTINGS);
    if (isRejection(decision)) return { refused: `${decision.code}: ${decision.message}` };
    for (const event of decision) {
      events.push(event);
      states.push((state = evolve(state, event)));
    }
  }
  return { events, states };
}

/**
 * What goes with the new records besides themselves, as `writeChanges` writes it for one
 * device, in a few statements for the whole batch: every audit entry (chained into the ledger
 * in record order), then every outbox row. The commands of a new row (register, tags, desired
 * configuration) change no lifecycle: there is no lifecycle history to write and no credential
 * to revoke; a row whose events ever did would go through `writeChanges` itself.
 */
async function writeNewRecordsChanges(
  tx: Tx,
  tenantId: string,
  fresh: ReadonlyArray<{
    row: { serial: string };
    events: DeviceEvent[];
    states: DeviceTwinState[];
  }>,
): Promise<void> {
  const plain = fresh.filter((f) => !f.events.some((e) => e.type === 'lifecycle-changed'));
  for (const f of fresh)
    if (!plain.includes(f))
      await writeChanges(
        tx,
        initialDeviceState({ tenantId, deviceId: f.row.serial }),
        f.events,
        f.states,
      );
  const changes = plain.map((f) => ({
    before: initialDeviceState({ tenantId, deviceId: f.row.serial }),
    events: f.events,
    states: f.states,
  }));
  // The audit trail and the ledger before the outbox: the outbox's lock is always taken last.
  await writeAudit(
    tx,
    changes.flatMap(({ before, events, states }) =>
      events.flatMap((event, i) => {
        const entry = deviceAuditEntry(i === 0 ? before : states[i - 1]!, event, states[i]!);
        return entry ? [twinAuditRow(tenantId, entry)] : [];
      }),
    ),
  );
  await appendChangesToOutbox(
    tx,
    changes.flatMap(({ before, events, states }) =>
      events.map((event, i) => ({
        aggregate: { type: 'device' as const, tenantId, id: before.deviceId },
        event,
        state: states[i]!,
      })),
    ),
  );
}

/**
 * Registers a batch of a bulk's rows in ONE transaction, without a workflow per row
 * (docs/architecture.md: a device has its record before its twin runs). For each pending
 * row: the device record with its `registered` event (and tags, desired configuration) by the
 * pure twin, as a twin's commit writes it — audit and outbox rows with it —, then its identity
 * (credentials or claim token, from the hash stored with the row), and the row's outcome;
 * the hash is cleared. Idempotent per row: a row no longer pending (a retry after COMMIT) is
 * left alone; a serial registered, provisioned or given credentials before is reported as
 * such and nothing of it is touched (the secret issued for the row is void).
 */
export async function registerBulkRows(
  database: Database,
  batch: BatchRegistration,
): Promise<BatchRowResult[]> {
  if (batch.positions.length === 0) return [];
  const { tenantId } = batch;
  return database.db.transaction(async (tx) => {
    const rows = await tx
      .select({
        position: bulkProvisioningRows.position,
        serial: bulkProvisioningRows.serial,
        request: bulkProvisioningRows.request,
        secretHash: bulkProvisioningRows.secretHash,
      })
      .from(bulkProvisioningRows)
      .where(
        and(
          eq(bulkProvisioningRows.tenantId, tenantId),
          eq(bulkProvisioningRows.bulkId, batch.bulkId),
          eq(bulkProvisioningRows.status, 'pending'),
          inArray(bulkProvisioningRows.position, [...batch.positions]),
        ),
      )
      .orderBy(asc(bulkProvisioningRows.position))
      .for('update');
    if (rows.length === 0) return [];
    const serials = rows.map((r) => r.serial);
    const ofTenant = <T extends { tenantId: unknown; deviceId: unknown }>(t: T) =>
      and(eq(t.tenantId as never, tenantId), inArray(t.deviceId as never, serials));
    // Records in key order: a twin committing on one of them waits, it never deadlocks.
    const [records, provisioned, credentials] = [
      await tx
        .select({ serial: deviceTwins.deviceId, lifecycle: deviceTwins.lifecycle })
        .from(deviceTwins)
        .where(ofTenant(deviceTwins))
        .orderBy(asc(deviceTwins.deviceId))
        .for('update'),
      await tx
        .select({ serial: deviceProvisioning.deviceId, workflowId: deviceProvisioning.workflowId })
        .from(deviceProvisioning)
        .where(ofTenant(deviceProvisioning)),
      await tx
        .select({ serial: deviceCredentials.deviceId })
        .from(deviceCredentials)
        .where(ofTenant(deviceCredentials)),
    ];
    const before = new Map<string, string>();
    for (const c of credentials)
      before.set(c.serial, `device ${c.serial} was given credentials before this bulk`);
    for (const r of records)
      before.set(r.serial, `device ${r.serial} was registered before this bulk (${r.lifecycle})`);
    const provisionedBy = new Map(provisioned.map((p) => [p.serial, p.workflowId]));

    const at = new Date().toISOString();
    const results: BatchRowResult[] = [];
    const fresh: Array<{
      row: (typeof rows)[number];
      events: DeviceEvent[];
      states: DeviceTwinState[];
    }> = [];
    for (const r of rows) {
      const result = (status: BatchRowResult['status'], reason: string | null) =>
        results.push({ position: r.position, serial: r.serial, status, reason });
      const workflowId = provisionedBy.get(r.serial);
      if (workflowId) {
        result(
          'already-provisioned',
          `provisioned before this bulk (${workflowId}): the secret issued for this row is void`,
        );
        continue;
      }
      const known = before.get(r.serial);
      if (known) {
        result('already-registered', `${known}: the secret issued for this row is void`);
        continue;
      }
      if (!r.secretHash) {
        result('failed', 'the row has no identity to store');
        continue;
      }
      const made = registered(
        initialDeviceState({ tenantId, deviceId: r.serial }),
        commandsOf(r.request, batch.actor, at),
      );
      if ('refused' in made) result('refused', made.refused);
      else fresh.push({ row: r, ...made });
    }

    // New records; one another writer inserted meanwhile (it waited on nothing) is theirs.
    const inserted = new Set<string>();
    for (let i = 0; i < fresh.length; i += 500) {
      const chunk = fresh.slice(i, i + 500);
      const written = await tx
        .insert(deviceTwins)
        .values(chunk.map((f) => row(f.states[f.states.length - 1]!)))
        .onConflictDoNothing()
        .returning({ serial: deviceTwins.deviceId });
      for (const w of written) inserted.add(w.serial);
    }
    const mine = fresh.filter((f) => inserted.has(f.row.serial));
    for (const f of fresh)
      if (!inserted.has(f.row.serial))
        results.push({
          position: f.row.position,
          serial: f.row.serial,
          status: 'already-registered',
          reason: `device ${f.row.serial} was registered meanwhile: the secret issued for this row is void`,
        });
    const credentialRows = mine.filter((f) => f.row.request.method === 'credentials');
    if (credentialRows.length > 0)
      await tx.insert(deviceCredentials).values(
        credentialRows.map((f) => ({
          tenantId,
          deviceId: f.row.serial,
          secretHash: f.row.secretHash!,
        })),
      );
    const claimRows = mine.filter((f) => f.row.request.method === 'claim');
    if (claimRows.length > 0)
      await tx.insert(claimTokens).values(
        claimRows.map((f) => ({
          tenantId,
          deviceId: f.row.serial,
          tokenHash: f.row.secretHash!,
          expiresAt: new Date(Date.parse(batch.requestedAt) + f.row.request.claimExpiresInS * 1000),
        })),
      );
    for (const f of mine)
      results.push({
        position: f.row.position,
        serial: f.row.serial,
        status: 'registered',
        reason: null,
      });
    await writeNewRecordsChanges(tx, tenantId, mine);

    await tx.execute(sql`
      update bulk_provisioning_rows b
      set status = r.status, reason = r.reason, secret_hash = null, updated_at = now()
      from jsonb_to_recordset(${JSON.stringify(results)}::jsonb)
        as r(position int, status text, reason text)
      where b.tenant_id = ${tenantId} and b.bulk_id = ${batch.bulkId}
        and b.position = r.position`);
    return results.sort((a, b) => a.position - b.position);
  });
}
