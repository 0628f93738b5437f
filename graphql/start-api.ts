import type { Egress } from '../outbound/egress';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { GraphQLError } from 'graphql';
import { WebSocketServer } from 'ws';
import type { Database } from '../db/client';
import { createApiApp, type RecheckOptions } from './app';
import type { Credential, JwtConfig } from './auth/authenticate';
import { OutboxFeed } from './outbox-feed';
import { ApiMetrics } from './metrics';
import { latestOutboxId } from '../db/outbox-reader';
import { serveMetrics } from '../observability/metrics-listener';
import { filesFromEnv, type FileStore } from '../db/file-store';
import { isLogDownload, serveLogDownload } from './log-download';
import { consoleHandler, isConsoleRequest } from './console/serve';
import type { RateLimit } from './rate-limit';
import type { OcpiDeps } from './ocpi/ocpi-deps';
import { isOcpiRequest, serveOcpi } from './ocpi/serve';
import { startOcpiPush } from '../workflows/ocpi-push/client';
import { startOcpiTokenPull } from '../workflows/ocpi-token-pull/client';
import { startOcpiSessionPush } from '../workflows/ocpi-sessions/client';
import { startOcpiCommandResult } from '../workflows/ocpi-command/client';
import { updateDeviceTwin } from '../workflows/device-twin/client';
import { sendCommandUpdate } from '../workflows/device-twin/messages';

export interface ApiOptions {
  host: string;
  port: number;
  temporalAddress: string;
  namespace: string;
  database: Database;
  logger: Logger;
  /** Settings of twins this API starts (by registering a device). */
  offlineGraceMs: number;
  /** How callers' JWTs are verified (API keys are checked against PostgreSQL). */
  auth: JwtConfig;
  /** Where partner webhooks' delivery workflows run (a worker pool of their own); default the twins' queue. */
  webhookTaskQueue?: string;
  /** Where tenant-given URLs may lead (the egress rules of outbound/egress.ts); OCPI calls eMSPs through it. */
  egress: Egress;
  /** Requests per caller (API_RATE_LIMIT_PER_S, API_RATE_LIMIT_BURST); default 20 a second, 200 at once. */
  rateLimit?: RateLimit;
  /** How long-lived connections recheck their credential; defaults suit production. */
  recheck?: Partial<RecheckOptions>;
  /** Where Prometheus metrics are served: a listener of their own, default 127.0.0.1:9465 (0: any free port). */
  metricsHost?: string;
  metricsPort?: number;
  /** The gateway's base URL as devices reach it: one-time log upload URLs start with it (DEVICE_UPLOAD_URL). */
  deviceUploadUrl?: string | undefined;
  /** Where OCPI parties reach this API (OCPI_BASE_URL); default http://<host>:<port>. */
  ocpiBaseUrl?: string | undefined;
  /** Where uploaded log files are read from; default DOPPEL_FILES_DIR (shared with the gateways). */
  files?: FileStore;
  /** The operator console's build, served at `/`; default graphql/console/dist (docs/console.md). */
  consoleDir?: string;
  /** Temporal UI's base URL as operators' browsers reach it (DOPPEL_TEMPORAL_UI_URL): `me` tells it. */
  temporalUiUrl?: string | undefined;
}

export interface RunningApi {
  readonly port: number;
  /** Where GET /metrics is served (a listener of its own, loopback by default). */
  readonly metricsPort: number;
  stop(): Promise<void>;
}

/** Serves GraphQL over HTTP and SSE (graphql-yoga) and graphql-ws on the same /graphql path. */
export async function startApi(options: ApiOptions): Promise<RunningApi> {
  const connection = await Connection.connect({ address: options.temporalAddress });
  const temporal = new Client({ connection, namespace: options.namespace });
  const metrics = new ApiMetrics();
  // The listen port is known only once listening: the OCPI base URL is read when asked.
  let listening = '';
  const ocpi: OcpiDeps = {
    database: options.database,
    fetch: options.egress.fetch,
    baseUrl: () => (options.ocpiBaseUrl ?? listening).replace(/\/+$/, ''),
    // Status changes reach the eMSP through a workflow per party (docs/ocpi.md, "Push").
    // Its tokens are pulled into the cache once (docs/ocpi.md, "Tokens (Receiver)"); sessions and
    // CDRs go through a sibling workflow per party (docs/ocpi.md, "Sessions and CDRs").
    onConnected: async (tenantId, partyId) => {
      await startOcpiPush(temporal, { tenantId, partyId });
      await startOcpiTokenPull(temporal, { tenantId, partyId });
      await startOcpiSessionPush(temporal, { tenantId, partyId });
    },
    commands: {
      send: (key, request) =>
        updateDeviceTwin(temporal, options.database, key, sendCommandUpdate, [request], {
          settings: { offlineGraceMs: options.offlineGraceMs },
        }),
      watch: (args) => startOcpiCommandResult(temporal, args),
    },
  };
  const { yoga, publish, authenticate, check, watch, limits } = createApiApp({
    database: options.database,
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    ...(options.recheck ? { recheck: options.recheck } : {}),
    temporal,
    twinSettings: { offlineGraceMs: options.offlineGraceMs },
    auth: options.auth,
    egress: options.egress,
    plugins: [metrics.plugin()],
    ...(options.webhookTaskQueue ? { webhookTaskQueue: options.webhookTaskQueue } : {}),
    deviceUploadUrl: options.deviceUploadUrl ?? process.env.DEVICE_UPLOAD_URL,
    ...(options.temporalUiUrl
      ? {
          temporalUi: {
            url: options.temporalUiUrl.replace(/\/+$/, ''),
            namespace: options.namespace,
          },
        }
      : {}),
    ocpi,
  });
  const feed = new OutboxFeed(options.database, publish, options.logger, undefined, (rows) =>
    metrics.deliveredEvents.inc(rows),
  );
  await feed.start();
  metrics.watchOutboxLag(
    () => latestOutboxId(options.database),
    () => feed.delivered,
  );

  const download = {
    database: options.database,
    files: options.files ?? filesFromEnv(),
    authenticate,
  };
  const serveConsole = consoleHandler(options.consoleDir);
  // Uploaded log files are served beside GraphQL, to the same credentials (graphql/log-download.ts),
  // and the operator console at every other path GraphQL does not answer (docs/console.md).
  const server = createServer((req, res) => {
    if (isOcpiRequest(req))
      return void serveOcpi(req, res, ocpi).catch((err: unknown) => {
        options.logger.error({ err, url: req.url }, 'OCPI request failed');
        if (!res.writableEnded) res.destroy();
      });
    if (isConsoleRequest(req)) return serveConsole(req, res);
    if (!isLogDownload(req)) return void yoga(req, res);
    serveLogDownload(req, res, download).catch((err: unknown) => {
      options.logger.error({ err }, 'log download failed');
      res.destroy();
    });
  });
  // ws reads a whole message before graphql-ws sees it, authenticated or not: without a bound
  // (ws's default is 100 MiB) anyone could make the API hold that much. A message holds one
  // operation, which HTTP bounds by its body limit.
  const wsServer = new WebSocketServer({
    server,
    path: yoga.graphqlEndpoint,
    maxPayload: limits.maxBodyBytes,
  });
  const close = (
    socket: { close(code: number, reason: string): void },
    code: number,
    why: string,
  ) => socket.close(code, why.slice(0, 120)); // a close reason has at most 123 bytes
  const wsCleanup = useServer(
    {
      execute: (args: any) => args.rootValue.execute(args),
      subscribe: (args: any) => args.rootValue.subscribe(args),
      // A connection proves who it is in connection_init's payload ({ authorization:
      // 'Bearer …' }); an unauthenticated one is closed with 4401. The credential is watched
      // while the socket is open: it is closed with 4401 when its JWT expires and with 4403
      // when its API key is revoked.
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const given = params.authorization ?? params.Authorization;
        const { socket } = ctx.extra;
        try {
          const credential = await authenticate(typeof given === 'string' ? given : undefined);
          (ctx.extra as { credential?: Credential }).credential = credential;
          const unwatch = watch.watch(credential, (end) =>
            close(socket, end.closeCode, end.error.message),
          );
          socket.once('close', unwatch);
          return true;
        } catch (error) {
          close(socket, 4401, String((error as Error).message));
          return false;
        }
      },
      onSubscribe: async (ctx, _id, params) => {
        const { credential } = ctx.extra as unknown as { credential: Credential };
        // Each operation meets the credential as it is now, not as it was at connection_init.
        const end = await check(credential);
        if (end) {
          close(ctx.extra.socket, end.closeCode, end.error.message);
          return [end.error];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        });
        let contextValue: unknown;
        try {
          contextValue = await contextFactory();
        } catch (error) {
          // A refusal (the rate limit) ends this operation, not the connection.
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const args = {
          schema,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue,
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        return errors.length ? errors : args;
      },
    },
    wsServer,
  );

  server.listen(options.port, options.host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const reachableHost = ['0.0.0.0', '::'].includes(options.host) ? '127.0.0.1' : options.host;
  listening = `http://${reachableHost.includes(':') ? `[${reachableHost}]` : reachableHost}:${port}`;
  const metricsHost = options.metricsHost ?? '127.0.0.1';
  const metricsListener = await serveMetrics(
    metricsHost,
    options.metricsPort ?? 9465,
    metrics.registry,
  );
  options.logger.info(
    { host: options.host, port, metrics: `${metricsHost}:${metricsListener.port}` },
    'GraphQL API listening',
  );

  return {
    port,
    metricsPort: metricsListener.port,
    async stop() {
      await metricsListener.close();
      watch.stop();
      await wsCleanup.dispose();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await feed.stop();
      await connection.close();
    },
  };
}
