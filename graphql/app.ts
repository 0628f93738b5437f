import type { UrlPolicy } from './schema/reachable';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { createYoga } from 'graphql-yoga';
import type { DeviceTwinSettings } from '../twins/device';
import type { Client } from '@temporalio/client';
import type { Database } from '../db/client';
import type { OutboxEntry } from '../db/outbox-reader';
import { appendAudit } from '../db/access-store';
import {
  DEFAULT_ABUSE_LIMITS,
  maskUnexpected,
  useBodyLimit,
  useQueryLimits,
  type AbuseLimits,
} from './abuse-limits';
import { authenticator, type JwtConfig } from './auth/authenticate';
import type { Principal } from './auth/roles';
import { OutboxHub } from './outbox-hub';
import { schema, type ApiContext } from './schema';

/** What yoga's server context holds: graphql-ws connections bring the caller they opened with. */
interface RequestContext {
  extra?: { principal?: Principal };
}

/** The GraphQL application, without a listener: tests call `yoga.fetch` on it directly. */
export function createApiApp(deps: {
  database: Database;
  temporal: Client;
  twinSettings: DeviceTwinSettings;
  auth: JwtConfig;
  limits?: Partial<AbuseLimits>;
  webhookTaskQueue?: string;
  /** Where tenant-given URLs may lead (webhooks, admission hooks, backends). */
  egress: UrlPolicy;
}) {
  const limits = { ...DEFAULT_ABUSE_LIMITS, ...deps.limits };
  const outbox = new OutboxHub();
  const authenticate = authenticator(deps.auth, deps.database);
  const shared = {
    database: deps.database,
    temporal: deps.temporal,
    twinSettings: deps.twinSettings,
    outbox,
    egress: deps.egress,
    ...(deps.webhookTaskQueue ? { webhookTaskQueue: deps.webhookTaskQueue } : {}),
  };
  const yoga = createYoga<RequestContext, ApiContext>({
    schema,
    // Over HTTP and SSE the request carries Authorization; a graphql-ws connection was
    // authenticated once, when it opened (see start-api).
    context: async (initial): Promise<ApiContext> => {
      const principal =
        initial.extra?.principal ??
        (await authenticate(initial.request?.headers.get('authorization')));
      return {
        ...shared,
        principal,
        audit: (entry) =>
          appendAudit(deps.database, { ...entry, actor: principal.actor, role: principal.role }),
      };
    },
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
  return {
    yoga,
    authenticate,
    publish: (entry: OutboxEntry) => outbox.publish(entry),
  };
}
