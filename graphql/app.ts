import { createPubSub, createYoga } from 'graphql-yoga';
import type { DeviceTwinSettings } from '../twins/device';
import type { Client } from '@temporalio/client';
import type { Database } from '../db/client';
import type { OutboxEntry } from '../db/outbox-reader';
import { schema, type ApiContext } from './schema';

/** The GraphQL application, without a listener: tests call `yoga.fetch` on it directly. */
export function createApiApp(deps: {
  database: Database;
  temporal: Client;
  twinSettings: DeviceTwinSettings;
}) {
  const pubSub = createPubSub<{ outbox: [OutboxEntry] }>();
  const context: ApiContext = { ...deps, pubSub };
  const yoga = createYoga<object, ApiContext>({
    schema,
    context: () => context,
    graphqlEndpoint: '/graphql',
    graphiql: { title: 'Doppel', subscriptionsProtocol: 'WS' },
    landingPage: false,
    healthCheckEndpoint: '/healthz',
  });
  return { yoga, publish: (entry: OutboxEntry) => pubSub.publish('outbox', entry) };
}
