import type { UrlPolicy } from './schema/reachable';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Database } from '../db/client';
import { createApiApp } from './app';
import type { JwtConfig } from './auth/authenticate';
import type { Principal } from './auth/roles';
import { OutboxFeed } from './outbox-feed';

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
  /** Where tenant-given URLs may lead (the gateway's egress rules, in deploy/). */
  egress: UrlPolicy;
}

export interface RunningApi {
  readonly port: number;
  stop(): Promise<void>;
}

/** Serves GraphQL over HTTP and SSE (graphql-yoga) and graphql-ws on the same /graphql path. */
export async function startApi(options: ApiOptions): Promise<RunningApi> {
  const connection = await Connection.connect({ address: options.temporalAddress });
  const temporal = new Client({ connection, namespace: options.namespace });
  const { yoga, publish, authenticate } = createApiApp({
    database: options.database,
    temporal,
    twinSettings: { offlineGraceMs: options.offlineGraceMs },
    auth: options.auth,
    egress: options.egress,
    ...(options.webhookTaskQueue ? { webhookTaskQueue: options.webhookTaskQueue } : {}),
  });
  const feed = new OutboxFeed(options.database, publish, options.logger);
  await feed.start();

  const server = createServer(yoga);
  const wsServer = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const wsCleanup = useServer(
    {
      execute: (args: any) => args.rootValue.execute(args),
      subscribe: (args: any) => args.rootValue.subscribe(args),
      // A connection proves who it is once, in connection_init's payload
      // ({ authorization: 'Bearer …' }); an unauthenticated one is closed with 4401.
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const given = params.authorization ?? params.Authorization;
        try {
          (ctx.extra as { principal?: Principal }).principal = await authenticate(
            typeof given === 'string' ? given : undefined,
          );
          return true;
        } catch (error) {
          ctx.extra.socket.close(4401, String((error as Error).message).slice(0, 120));
          return false;
        }
      },
      onSubscribe: async (ctx, _id, params) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        });
        const args = {
          schema,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
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
  options.logger.info({ host: options.host, port }, 'GraphQL API listening');

  return {
    port,
    async stop() {
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
