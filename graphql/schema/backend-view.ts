import type { StoredBackend } from '../../db/backend-store';
import type { Backend, BackendMatch } from '../../twins/routing';

/** The GraphQL enums carry the definition's own spelling as their internal values. */
export const backendEnums = {
  BackendKind: { OCPP: 'ocpp', WEBHOOK: 'webhook', OCPI: 'ocpi' },
  BackendRole: { PRIMARY: 'primary', SECONDARY: 'secondary' },
};

/** A stored backend in the shape of the GraphQL `Backend` type: never with its secret. */
export function backendView({ backend, version, updatedAt }: StoredBackend) {
  const ocpp = backend.kind === 'ocpp' ? backend : null;
  return {
    id: backend.id,
    kind: backend.kind,
    url: backend.url ?? null,
    ocpiPartyId: backend.kind === 'ocpi' ? backend.ocpiPartyId : null,
    role: ocpp?.role ?? null,
    enabled: backend.enabled,
    match: { devices: backend.match.devices ?? null, models: backend.match.models ?? null },
    allowedActions: ocpp?.allowedActions ?? [],
    replyTimeoutMs: ocpp?.replyTimeoutMs ?? null,
    bufferLimit: backend.bufferLimit ?? null,
    hasSecret: backend.secret !== undefined,
    version,
    updatedAt,
  };
}

export interface BackendMatchInput {
  devices?: string[] | null;
  models?: string[] | null;
}

/** The fields of RegisterBackendInput / UpdateBackendInput that make up a definition. */
export interface BackendFieldsInput {
  kind?: Backend['kind'] | null;
  url?: string | null;
  ocpiPartyId?: string | null;
  role?: 'primary' | 'secondary' | null;
  enabled?: boolean | null;
  match?: BackendMatchInput | null;
  allowedActions?: string[] | null;
  replyTimeoutMs?: number | null;
  bufferLimit?: number | null;
  secret?: string | null;
}

/** Keeps the fields that are set: null means "not given", so the definition's default applies. */
function defined(input: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null && v !== undefined));
}

/** A candidate definition, for parseBackend to check; the match is taken whole when given. */
export function backendFields(input: BackendFieldsInput): Record<string, unknown> {
  const { match, ...rest } = input;
  return { ...defined(rest), ...(match ? { match: defined(match) as BackendMatch } : {}) };
}
