import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { createYoga } from 'graphql-yoga';
import type { DeviceTwinSettings } from '../twins/device';
import type { Client } from '@temporalio/client';
import type { Database } from '../db/client';
import type { OutboxEntry } from '../db/outbox-reader';
import {
  DEFAULT_ABUSE_LIMITS,
  maskUnexpected,
  useBodyLimit,
  useQueryLimits,
  type AbuseLimits,
} from './abuse-limits';
import { OutboxHub } from './outbox-hub';
import { schema, type ApiContext } from './schema';

/** The GraphQL application, without a listener: tests call `yoga.fetch` on it directly. */
export function createApiApp(deps: {
  database: Database;
  temporal: Client;
  twinSettings: DeviceTwinSettings;
  limits?: Partial<AbuseLimits>;
}) {
  const limits = { ...DEFAULT_ABUSE_LIMITS, ...deps.limits };
  const outbox = new OutboxHub();
  const context: ApiContext = {
    database: deps.database,
    temporal: deps.temporal,
    twinSettings: deps.twinSettings,
    outbox,
  };
  const yoga = createYoga<object, ApiContext>({
    schema,
    context: () => context,
    graphqlEndpoint: '/graphql',
    graphiql: { title: 'Doppel', subscriptionsProtocol: 'WS' },
    landingPage: false,
    healthCheckEndpoint: '/healthz',
    maskedErrors: { maskError: maskUnexpected },
    plugins: [
      useBodyLimit(limits.maxBodyBytes),
      // A browser cannot send a cross-site request with this header or a JSON body without a
      // preflight: forms and links are refused.
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
      useQueryLimits(limits),
    ],
  });
  return { yoga, publish: (entry: OutboxEntry) => outbox.publish(entry) };
}
