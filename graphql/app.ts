import type { UrlPolicy } from './schema/reachable';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { createYoga, type Plugin } from 'graphql-yoga';
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
import { authenticator, type Credential, type JwtConfig } from './auth/authenticate';
import { credentialCheck, DEFAULT_RECHECK_CACHE_MS } from './auth/credential-check';
import { CredentialWatch, DEFAULT_SWEEP_MS } from './auth/credential-watch';
import { useCredentialWatch, type WatchedContext } from './auth/use-credential-watch';
import { OutboxHub } from './outbox-hub';
import { DEFAULT_RATE_LIMIT, rateLimited, TokenBuckets, type RateLimit } from './rate-limit';
import { schema, type ApiContext } from './schema';
import type { TemporalUiLink } from './schema/temporal-ui/resolvers';
import type { OcpiDeps } from './ocpi/ocpi-deps';

/** What yoga's server context holds: graphql-ws connections bring the credential they opened with. */
interface RequestContext {
  extra?: { credential?: Credential };
}

/** How long-lived connections recheck their credential (see auth/credential-check, -watch). */
export interface RecheckOptions {
  /** A key's revocation answer is reused this long. */
  cacheMs: number;
  /** Watched API keys are checked this often; a JWT is ended by a timer at its exp. */
  sweepMs: number;
}

/** The GraphQL application, without a listener: tests call `yoga.fetch` on it directly. */
export function createApiApp(deps: {
  database: Database;
  temporal: Client;
  twinSettings: DeviceTwinSettings;
  auth: JwtConfig;
  limits?: Partial<AbuseLimits>;
  /** Requests per caller (HTTP request, SSE stream, graphql-ws operation). */
  rateLimit?: RateLimit;
  recheck?: Partial<RecheckOptions>;
  webhookTaskQueue?: string;
  /** Where tenant-given URLs may lead (webhooks, admission hooks, backends). */
  egress: UrlPolicy;
  /** The gateway's base URL as devices reach it (log uploads). */
  deviceUploadUrl?: string | undefined;
  /** The installation's Temporal UI, which `me` tells the console (links to workflows). */
  temporalUi?: TemporalUiLink | undefined;
  /** OCPI's CPO interface: the GraphQL mutation that registers Doppel with an eMSP calls it. */
  ocpi?: OcpiDeps;
  /** More envelop plugins (the metrics' operation counter). */
  plugins?: Plugin[];
}) {
  const limits = { ...DEFAULT_ABUSE_LIMITS, ...deps.limits };
  const outbox = new OutboxHub();
  const authenticate = authenticator(deps.auth, deps.database);
  const recheck = { cacheMs: DEFAULT_RECHECK_CACHE_MS, sweepMs: DEFAULT_SWEEP_MS, ...deps.recheck };
  const check = credentialCheck(deps.database, recheck.cacheMs);
  const watch = new CredentialWatch(check, recheck.sweepMs);
  const rateLimit = deps.rateLimit ?? DEFAULT_RATE_LIMIT;
  const buckets = new TokenBuckets(rateLimit);
  const shared = {
    database: deps.database,
    temporal: deps.temporal,
    twinSettings: deps.twinSettings,
    outbox,
    egress: deps.egress,
    ...(deps.webhookTaskQueue ? { webhookTaskQueue: deps.webhookTaskQueue } : {}),
    ...(deps.deviceUploadUrl ? { deviceUploadUrl: deps.deviceUploadUrl } : {}),
    ...(deps.temporalUi ? { temporalUi: deps.temporalUi } : {}),
    ...(deps.ocpi ? { ocpi: deps.ocpi } : {}),
  };
  const yoga = createYoga<RequestContext, ApiContext & WatchedContext>({
    schema,
    // Over HTTP and SSE the request carries Authorization; a graphql-ws connection authenticated
    // when it opened, and start-api rechecks its credential before each operation.
    context: async (initial): Promise<ApiContext & WatchedContext> => {
      const overSocket = initial.extra?.credential !== undefined;
      const credential =
        initial.extra?.credential ??
        (await authenticate(initial.request?.headers.get('authorization')));
      const { principal } = credential;
      // Every request counts, refused ones too (a refused mutation is still audited).
      // platform-admin runs the installation (bulk registration, the simulator) and is never
      // refused a permission: the limit is for tenants' callers.
      if (principal.role !== 'platform-admin') {
        const wait = buckets.take(`${principal.tenantId}/${principal.actor}`);
        if (wait > 0) throw rateLimited(rateLimit, wait);
      }
      return {
        ...shared,
        principal,
        credential,
        overSocket,
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
      useCredentialWatch(watch),
      ...(deps.plugins ?? []),
    ],
  });
  return {
    yoga,
    authenticate,
    check,
    watch,
    limits,
    publish: (entry: OutboxEntry) => outbox.publish(entry),
  };
}
