import { getOperationAST, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Operation names a caller chooses: past this many distinct ones, new names count as "other". */
const MAX_OPERATION_NAMES = 200;
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * The API's Prometheus metrics (its own listener: API_METRICS_HOST/PORT). GraphQL operations
 * by name, type and outcome over HTTP, SSE and graphql-ws alike; subscriptions open now; how
 * far the outbox feed is behind the newest outbox row.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly operations = new Counter({
    name: 'doppel_api_operations_total',
    help: 'GraphQL operations executed, by operation name, type (query, mutation, subscription) and outcome (ok, error)',
    labelNames: ['operation', 'type', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly operationSeconds = new Histogram({
    name: 'doppel_api_operation_seconds',
    help: 'Time to execute a query or mutation (a subscription: until its first result), by type',
    labelNames: ['type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly subscriptions = new Gauge({
    name: 'doppel_api_subscriptions',
    help: 'GraphQL subscriptions open now (graphql-ws and SSE)',
    registers: [this.registry],
  });
  readonly deliveredEvents = new Counter({
    name: 'doppel_api_outbox_events_total',
    help: 'Outbox rows read by this API process and handed to its subscribers',
    registers: [this.registry],
  });
  private readonly names = new Set<string>();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'doppel_api_' });
  }

  /**
   * Newest outbox id − the last one this process handed to its subscribers, read at scrape:
   * a growing figure means subscribers (and the API's LISTEN) fall behind the projections.
   */
  watchOutboxLag(newest: () => Promise<number>, delivered: () => number): void {
    new Gauge({
      name: 'doppel_api_outbox_lag',
      help: 'Outbox rows committed but not yet handed to this process’s subscribers (newest id − last delivered)',
      registers: [this.registry],
      async collect() {
        this.set(Math.max(0, (await newest()) - delivered()));
      },
    });
  }

  /** An envelop plugin counting every operation the API executes or subscribes to. */
  plugin(): Plugin {
    const operationOf = (document: DocumentNode, name: string | null | undefined) => {
      const ast = getOperationAST(document, name);
      return { type: ast?.operation ?? 'unknown', operation: this.label(ast?.name?.value) };
    };
    const hasErrors = (result: unknown) =>
      Boolean((result as { errors?: readonly unknown[] } | null)?.errors?.length);
    return {
      onExecute: ({ args }) => {
        const { type, operation } = operationOf(args.document, args.operationName);
        const stop = this.operationSeconds.startTimer({ type });
        return {
          onExecuteDone: ({ result }) => {
            stop();
            const outcome = hasErrors(result) ? 'error' : 'ok';
            this.operations.inc({ operation, type, outcome });
          },
        };
      },
      onSubscribe: ({ args }) => {
        const { type, operation } = operationOf(args.document, args.operationName);
        const stop = this.operationSeconds.startTimer({ type });
        return {
          onSubscribeResult: ({ result }) => {
            stop();
            const failed = !(Symbol.asyncIterator in Object(result)) && hasErrors(result);
            this.operations.inc({ operation, type, outcome: failed ? 'error' : 'ok' });
            if (failed) return undefined;
            this.subscriptions.inc();
            return { onEnd: () => this.subscriptions.dec() };
          },
          onSubscribeError: () => {
            stop();
            this.operations.inc({ operation, type, outcome: 'error' });
          },
        };
      },
    };
  }

  private label(name: string | undefined): string {
    if (!name) return 'anonymous';
    if (!NAME.test(name)) return 'other';
    if (this.names.has(name)) return name;
    if (this.names.size >= MAX_OPERATION_NAMES) return 'other';
    this.names.add(name);
    return name;
  }
}
