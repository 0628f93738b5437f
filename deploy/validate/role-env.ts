import type { z } from 'zod';
import { migrateEnv } from '../../db/migrate-env';
import { apiConfig, gatewayConfig, temporalNamespaceConfig, workerConfig } from '../config';

/**
 * The variables each command of the image reads, with their zod schemas (its package.json
 * script and the configuration it parses): what a compose service or a Helm template may set.
 */
export const ROLE_ENV: Record<string, Readonly<Record<string, z.ZodType>>> = {
  worker: workerConfig.shape,
  gateway: gatewayConfig.shape,
  api: apiConfig.shape,
  'temporal:namespace': temporalNamespaceConfig.shape,
  'db:migrate': migrateEnv.shape,
};

/** Set for the image's runtime itself, not read by a role's schema. */
export const RUNTIME_ENV = new Set(['HOME', 'NODE_ENV', 'NODE_OPTIONS']);
