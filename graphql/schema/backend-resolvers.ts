import { requireReachable } from './reachable';
import {
  BACKEND_UNKNOWN,
  findBackend,
  listBackends,
  removeBackend,
  saveBackend,
} from '../../db/backend-store';
import { isRejection } from '../../twins/errors';
import { parseBackend, type Backend } from '../../twins/routing';
import { apiError } from '../errors';
import { backendEnums, backendFields, backendView, type BackendFieldsInput } from './backend-view';
import { requireId } from './graph/input';
import type { ApiContext } from './resolvers';

export const BACKEND_KIND_IMMUTABLE = 'routing:backend.kind-immutable';

type BackendInput = BackendFieldsInput & { tenantId: string; id: string };
type BackendArgs = { tenantId: string; backendId: string };

/** Validates a whole candidate definition and saves it; a refusal keeps its code. */
async function save(
  ctx: ApiContext,
  tenantId: string,
  candidate: Record<string, unknown>,
  mode: 'create' | 'update',
) {
  const backend = parseBackend(candidate);
  if (isRejection(backend)) throw apiError(backend.code, backend.message);
  // An OCPI backend has no URL: its party's endpoints were checked when it connected.
  if (backend.url !== undefined) requireReachable(ctx, backend.url);
  const saved = await saveBackend(ctx.database, tenantId, backend, mode);
  if (isRejection(saved)) throw apiError(saved.code, saved.message);
  return backendView(saved);
}

/** Backends as data: listed without their secrets, changed as whole re-validated definitions. */
export const backendResolvers = {
  ...backendEnums,
  Query: {
    backends: async (_: unknown, args: { tenantId: string }, ctx: ApiContext) => {
      requireId('tenantId', args.tenantId);
      return (await listBackends(ctx.database, args.tenantId)).map(backendView);
    },
    backend: async (_: unknown, args: BackendArgs, ctx: ApiContext) => {
      requireId('tenantId', args.tenantId);
      requireId('backendId', args.backendId);
      const stored = await findBackend(ctx.database, args.tenantId, args.backendId);
      return stored ? backendView(stored) : null;
    },
  },
  Mutation: {
    registerBackend: (_: unknown, { input }: { input: BackendInput }, ctx: ApiContext) => {
      const { tenantId, id, ...fields } = input;
      requireId('tenantId', tenantId);
      requireId('id', id);
      return save(ctx, tenantId, { id, ...backendFields(fields) }, 'create');
    },
    updateBackend: async (_: unknown, { input }: { input: BackendInput }, ctx: ApiContext) => {
      const { tenantId, id, ...fields } = input;
      requireId('tenantId', tenantId);
      requireId('id', id);
      const stored = await findBackend(ctx.database, tenantId, id);
      if (!stored) throw apiError(BACKEND_UNKNOWN, `no backend ${id} in tenant ${tenantId}`);
      const current: Backend = stored.backend;
      if (fields.kind && fields.kind !== current.kind) {
        throw apiError(
          BACKEND_KIND_IMMUTABLE,
          `backend ${id} is a ${current.kind} backend and its kind cannot change: remove it and register a new one`,
        );
      }
      // The stored secret stays in the candidate, so a webhook validates without resending it.
      return save(ctx, tenantId, { ...current, ...backendFields(fields), id }, 'update');
    },
    removeBackend: async (_: unknown, args: BackendArgs, ctx: ApiContext) => {
      requireId('tenantId', args.tenantId);
      requireId('backendId', args.backendId);
      return { removed: await removeBackend(ctx.database, args.tenantId, args.backendId) };
    },
  },
};
