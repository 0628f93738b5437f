import { MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  getNamedType,
  isInputObjectType,
  type GraphQLFieldConfig,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import { apiError } from '../errors';
import { parseGlobalId } from '../schema/graph/global-id';
import { auditInput } from './audit-input';
import { NO_TENANT } from './authenticate';
import { mayCall, PERMISSIONS, type Principal } from './roles';

/** What a guarded resolver needs of the request context. */
export interface GuardContext {
  readonly principal: Principal;
  /** Records a mutation, refused or not (the audit trail). */
  readonly audit: (entry: {
    tenantId: string;
    operation: string;
    input: Record<string, unknown>;
    outcome: string;
    subject: string | null;
  }) => Promise<void>;
}

/** Where a root field names its tenant. */
type TenantPath = 'arg' | 'input' | 'node' | 'none';

/** Root fields that name no tenant: they only ever tell callers about themselves. */
const TENANTLESS = new Set(['Query.me']);

/**
 * Puts every root field of the schema behind the caller's role and tenant, in one place, so no
 * resolver can forget it:
 * - a role without the field in PERMISSIONS is refused (`api:forbidden`);
 * - another tenant is treated as one without any object: a query or subscription runs against
 *   a tenant nobody is in (so it answers exactly as for a missing object), `node` answers null,
 *   a mutation is refused with `api:tenant.not-found` whether the object exists or not;
 * - every mutation is recorded in the audit trail with its outcome.
 * The schema refuses to build when a root field has no rule or names no tenant (fail closed).
 */
export function guardSchema(schema: GraphQLSchema): GraphQLSchema {
  const problems: string[] = [];
  const guarded = mapSchema(schema, {
    [MapperKind.ROOT_FIELD]: (config, fieldName, typeName) => {
      const name = `${typeName}.${fieldName}`;
      if (!PERMISSIONS[typeName]?.[fieldName]) problems.push(`${name} has no rule in PERMISSIONS`);
      const path = tenantPathOf(config, name);
      if (path === null) {
        problems.push(`${name} names no tenant (tenantId or input.tenantId)`);
        return config;
      }
      if (typeName === 'Subscription' && config.subscribe)
        return { ...config, subscribe: guard(config.subscribe, typeName, fieldName, path) };
      if (!config.resolve) {
        problems.push(`${name} has no resolver`);
        return config;
      }
      const resolve = guard(config.resolve, typeName, fieldName, path);
      return {
        ...config,
        resolve: typeName === 'Mutation' ? audited(resolve, fieldName) : resolve,
      };
    },
  });
  if (problems.length > 0)
    throw new Error(`the API schema is not fully guarded:\n- ${problems.join('\n- ')}`);
  return guarded;
}

function tenantPathOf(
  config: GraphQLFieldConfig<unknown, unknown>,
  name: string,
): TenantPath | null {
  if (TENANTLESS.has(name)) return 'none';
  const args = config.args ?? {};
  if (args.tenantId) return 'arg';
  if (name === 'Query.node' && args.id) return 'node';
  const input = args.input ? getNamedType(args.input.type) : undefined;
  if (input && isInputObjectType(input) && input.getFields().tenantId) return 'input';
  return null;
}

type Args = Record<string, any>;

function tenantOf(args: Args, path: TenantPath): string | null {
  switch (path) {
    case 'arg':
      return args.tenantId as string;
    case 'input':
      return args.input.tenantId as string;
    case 'node':
      return parseGlobalId(args.id as string).tenantId;
    case 'none':
      return null;
  }
}

function withTenant(args: Args, path: TenantPath, tenantId: string): Args {
  if (path === 'arg') return { ...args, tenantId };
  if (path === 'input') return { ...args, input: { ...args.input, tenantId } };
  return args;
}

const isForeign = (principal: Principal, tenantId: string | null) =>
  tenantId !== null &&
  (tenantId === NO_TENANT || (principal.tenantId !== null && tenantId !== principal.tenantId));

function guard(
  resolve: GraphQLFieldResolver<unknown, any>,
  typeName: string,
  fieldName: string,
  path: TenantPath,
): GraphQLFieldResolver<unknown, GuardContext> {
  return (source, args, context, info) => {
    const { principal } = context;
    if (!mayCall(principal, typeName, fieldName))
      throw apiError('api:forbidden', `the ${principal.role} role may not use ${fieldName}`);
    const tenantId = tenantOf(args, path);
    if (!isForeign(principal, tenantId)) return resolve(source, args, context, info);
    if (typeName === 'Mutation')
      throw apiError('api:tenant.not-found', `there is no tenant ${tenantId} you may act in`);
    if (path === 'node') return null;
    return resolve(source, withTenant(args, path, NO_TENANT), context, info);
  };
}

function audited(
  resolve: GraphQLFieldResolver<unknown, GuardContext>,
  operation: string,
): GraphQLFieldResolver<unknown, GuardContext> {
  return async (source, args, context, info) => {
    const target = (args.tenantId ?? args.input?.tenantId) as string | undefined;
    const { principal } = context;
    // A mutation aimed at another tenant is recorded in the caller's own.
    const tenantId = principal.tenantId ?? target ?? NO_TENANT;
    const record = (outcome: string) =>
      context.audit({
        tenantId,
        operation,
        input: auditInput(args),
        outcome,
        subject: subjectOf(args),
      });
    let result: unknown;
    try {
      result = await resolve(source, args, context, info);
    } catch (error) {
      await record(codeOf(error));
      throw error;
    }
    await record('ok');
    return result;
  };
}

/** What a mutation is about, from its arguments: the twin it names first. */
const SUBJECTS: Array<[string, string]> = [
  ['deviceId', 'device'],
  ['serial', 'device'],
  ['assetId', 'asset'],
  ['siteId', 'site'],
  ['customerId', 'customer'],
  ['rolloutId', 'rollout'],
  ['webhookId', 'webhook'],
  ['backendId', 'backend'],
  ['alarmId', 'alarm'],
  ['ruleId', 'alarm-rule'],
];

function subjectOf(args: Args): string | null {
  const fields = { ...args, ...(args.input ?? {}) } as Record<string, unknown>;
  for (const [name, kind] of SUBJECTS)
    if (typeof fields[name] === 'string') return `${kind}:${fields[name]}`;
  return null;
}

const codeOf = (error: unknown): string => {
  const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
  return typeof code === 'string' ? code : 'api:internal';
};
