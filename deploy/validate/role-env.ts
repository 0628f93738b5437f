import { apiConfig, gatewayConfig, temporalNamespaceConfig, workerConfig } from '../config';

/**
 * The environment variables each command of the image reads (its package.json script and the
 * zod schema it parses): what a compose service or a Helm template may set for it.
 */
export const ROLE_ENV: Record<string, ReadonlySet<string>> = {
  worker: new Set(Object.keys(workerConfig.shape)),
  gateway: new Set(Object.keys(gatewayConfig.shape)),
  api: new Set(Object.keys(apiConfig.shape)),
  'temporal:namespace': new Set(Object.keys(temporalNamespaceConfig.shape)),
  // db/migrate-cli.ts
  'db:migrate': new Set(['DATABASE_URL']),
};

/** Set for the image's runtime itself, not read by a role's schema. */
export const RUNTIME_ENV = new Set(['HOME', 'NODE_ENV', 'NODE_OPTIONS']);
