import { JSONResolver } from 'graphql-scalars';
import {
  createApiKey,
  listApiKeys,
  readAudit,
  revokeApiKey,
  type AuditFilter,
} from '../../db/access-store';
import type { ApiKeyRow } from '../../db/access-store';
import { isTenantRole, mayCall, type Role } from '../auth/roles';
import { apiError } from '../errors';
import { connection, pageRequest, type PageArgs } from './graph/connection';
import type { ApiContext } from './resolvers';

const roleEnum = (role: string) => role.toUpperCase().replace('-', '_');
const roleOf = (value: string): Role => value.toLowerCase().replace('_', '-') as Role;

const keyView = (row: ApiKeyRow) => ({ ...row, role: roleEnum(row.role) });

async function auditPage(ctx: ApiContext, tenantId: string, filter: AuditFilter, args: PageArgs) {
  const page = pageRequest(args);
  const before = page.after === null ? null : Number(page.after);
  if (before !== null && !Number.isSafeInteger(before))
    throw apiError('api:input.invalid-cursor', `${args.after} is not a cursor of this listing`);
  const rows = await readAudit(ctx.database, tenantId, { first: page.first, before }, filter);
  return connection(
    rows,
    page,
    (r) => String(r.id),
    (r) => r,
    async () => rows.length,
  );
}

/** A twin's audit entries: the guard scopes root fields, so a nested listing checks the role. */
function nestedAudit<T extends { tenantId: string }>(kind: string, idOf: (twin: T) => string) {
  return (twin: T, args: PageArgs, ctx: ApiContext) => {
    if (!mayCall(ctx.principal, 'Query', 'auditEntries'))
      throw apiError('api:forbidden', `the ${ctx.principal.role} role may not read audit entries`);
    return auditPage(ctx, twin.tenantId, { subject: `${kind}:${idOf(twin)}` }, args);
  };
}

export const accessResolvers = {
  Query: {
    me: (_: unknown, __: unknown, ctx: ApiContext) => ({
      ...ctx.principal,
      role: roleEnum(ctx.principal.role),
    }),
    apiKeys: async (_: unknown, args: { tenantId: string }, ctx: ApiContext) =>
      (await listApiKeys(ctx.database, args.tenantId)).map(keyView),
    auditEntries: (
      _: unknown,
      args: { tenantId: string; filter?: AuditFilter | null } & PageArgs,
      ctx: ApiContext,
    ) => auditPage(ctx, args.tenantId, args.filter ?? {}, args),
  },
  Device: {
    auditEntries: nestedAudit('device', (d: { tenantId: string; deviceId: string }) => d.deviceId),
  },
  Asset: {
    auditEntries: nestedAudit('asset', (a: { tenantId: string; assetId: string }) => a.assetId),
  },
  Site: {
    auditEntries: nestedAudit('site', (s: { tenantId: string; siteId: string }) => s.siteId),
  },
  JSON: JSONResolver,
  Mutation: {
    createApiKey: async (
      _: unknown,
      { input }: { input: { tenantId: string; name: string; role: string } },
      ctx: ApiContext,
    ) => {
      const role = roleOf(input.role);
      if (!isTenantRole(role))
        throw apiError('api:input.invalid-role', `an API key cannot have the role ${input.role}`);
      const name = input.name.trim();
      if (name.length === 0 || name.length > 200)
        throw apiError('api:input.invalid-name', 'name must have 1 to 200 characters');
      const { key, row } = await createApiKey(ctx.database, {
        tenantId: input.tenantId,
        name,
        role,
        createdBy: ctx.principal.actor,
      });
      return { key, apiKey: keyView(row) };
    },
    revokeApiKey: async (
      _: unknown,
      args: { tenantId: string; keyId: string },
      ctx: ApiContext,
    ) => {
      const row = await revokeApiKey(ctx.database, args.tenantId, args.keyId, ctx.principal.actor);
      if (!row) throw apiError('api:api-key.not-found', `no live API key ${args.keyId}`);
      return keyView(row);
    },
  },
};
