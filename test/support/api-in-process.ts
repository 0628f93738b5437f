import pino from 'pino';
import { inject } from 'vitest';
import type { Database } from '../../db/client';
import { createEgress } from '../../outbound/egress';
import { startApi } from '../../graphql/start-api';
import { TEST_AUTH } from './auth';
import { TEST_ALLOWED_NETWORKS } from './egress';

/** An API of its own on the suite's Temporal and PostgreSQL, with some options changed. */
export function startTestApi(
  database: Database,
  options: Partial<Parameters<typeof startApi>[0]> = {},
) {
  return startApi({
    host: '127.0.0.1',
    port: 0,
    metricsPort: 0,
    temporalAddress: inject('temporalAddress'),
    namespace: 'default',
    database,
    logger: pino({ level: 'silent' }),
    offlineGraceMs: 0,
    auth: TEST_AUTH,
    egress: createEgress(TEST_ALLOWED_NETWORKS),
    ...options,
  });
}
