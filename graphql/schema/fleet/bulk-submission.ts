import { randomBytes } from 'node:crypto';
import { createBulk, knownSerials, type BulkRowRecord } from '../../../db/bulk-provisioning-store';
import { hashSecrets } from '../../../db/credentials';
import { newIdentity, secretFormOf } from '../../../db/provisioning-store';
import type { BulkRow } from '../../../twins/provisioning/bulk-rows';
import { startBulkProvisioning } from '../../../workflows/bulk-provisioning/client';
import { bulkProvisionWorkflowId } from '../../../workflows/bulk-provisioning/messages';
import { ocppIdentityProblem, protocolOf } from '../ocpp-identity';
import type { ApiContext } from '../resolvers';

/** A readable, unique bulk id: when it was accepted, and some randomness. */
const newBulkId = (now: Date) =>
  `${now.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;

/**
 * Accepts a validated file: rows whose serial was provisioned or registered before are
 * refused up front; every other row gets its identity, hashed here a few at a time, stored
 * with the row (the hash only), and the bulk workflow starts. The identities are returned to
 * be shown this once.
 */
export async function acceptBulk(
  ctx: ApiContext,
  tenantId: string,
  actor: string,
  rows: BulkRow[],
) {
  const now = new Date();
  const bulkId = newBulkId(now);
  const known = await knownSerials(
    ctx.database,
    tenantId,
    rows.map((r) => r.request.serial),
  );
  // A serial an OCPP station could never connect with, for a model whose profile says OCPP.
  const models = [...new Set(rows.flatMap((r) => (r.request.model ? [r.request.model] : [])))];
  const protocols = new Map(
    await Promise.all(
      models.map(async (m) => [m, await protocolOf(ctx.database, tenantId, m)] as const),
    ),
  );
  for (const { request } of rows) {
    const protocol = request.model ? protocols.get(request.model) : undefined;
    const problem = ocppIdentityProblem('serial', request.serial);
    if (problem && protocol?.startsWith('ocpp') && !known.has(request.serial))
      known.set(request.serial, `${problem}, and model ${request.model} speaks ${protocol}`);
  }
  const accepted = rows.filter((r) => !known.has(r.request.serial));
  const shown = accepted.map((r) =>
    newIdentity(
      r.request.method,
      r.request.claimToken,
      secretFormOf(r.request.model ? protocols.get(r.request.model) : undefined),
    ),
  );
  // An operator's own claim token is stored with scrypt; what Doppel generated, fast.
  const hashes = await hashSecrets(
    accepted.map((r, i) => ({
      secret: shown[i]!,
      origin: r.request.claimToken ? ('chosen' as const) : ('generated' as const),
    })),
  );
  const hashOf = new Map(accepted.map((r, i) => [r.request.serial, hashes[i]!]));
  const records: BulkRowRecord[] = rows.map(
    ({ line, request: { claimToken: _, ...request } }, position) => {
      const refusal = known.get(request.serial);
      return {
        position,
        line,
        serial: request.serial,
        method: request.method,
        request,
        secretHash: hashOf.get(request.serial) ?? null,
        status: refusal ? 'refused' : 'pending',
        reason: refusal ? `${refusal}: nothing was issued` : null,
      };
    },
  );
  const args = { tenantId, bulkId, actor, requestedAt: now.toISOString(), total: rows.length };
  const workflowId = bulkProvisionWorkflowId(tenantId, bulkId);
  await createBulk(ctx.database, { tenantId, bulkId, workflowId, createdBy: actor }, records);
  await startBulkProvisioning(ctx.temporal, args);
  return {
    bulkId,
    workflowId,
    total: rows.length,
    accepted: accepted.length,
    identities: accepted.map((r, i) => ({
      line: r.line,
      serial: r.request.serial,
      method: r.request.method,
      secret: shown[i]!,
    })),
    refused: records
      .filter((r) => r.status === 'refused')
      .map((r) => ({ line: r.line, serial: r.serial, reason: r.reason! })),
  };
}
