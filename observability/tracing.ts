import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource, envDetectorSync } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** What a process traces with once `startTracing` found an OTLP endpoint. */
export interface Tracing {
  readonly resource: Resource;
  /** Also handed to Temporal's workflow span exporter (its spans leave through the same pipe). */
  readonly spanProcessor: SpanProcessor;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

let active: Tracing | null = null;

/**
 * Tracing is on when the standard OTLP endpoint variable is set (and the SDK not disabled):
 * OTEL_EXPORTER_OTLP_ENDPOINT (…/v1/traces is appended) or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT.
 */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return (
    Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) &&
    env.OTEL_SDK_DISABLED !== 'true'
  );
}

/**
 * Starts OpenTelemetry tracing for this process when it is configured (see tracingConfigured):
 * spans go over OTLP/HTTP to the endpoint, sampled as OTEL_TRACES_SAMPLER says (default: every
 * trace, parent-based), with W3C trace context propagation. Off, it does nothing and every
 * `traced` call below is a plain call. One per process (the embedded profile's roles share it).
 */
export function startTracing(serviceName: string): Tracing | null {
  if (active) return active;
  if (!tracingConfigured()) return null;
  const resource = Resource.default()
    .merge(new Resource({ 'service.name': serviceName }))
    .merge(envDetectorSync.detect());
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  const started: Tracing = {
    resource,
    spanProcessor,
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
      if (active === started) active = null;
    },
  };
  active = started;
  return started;
}

/** The tracing this process started, or null when it is off. */
export const tracing = (): Tracing | null => active;

/** The W3C `traceparent` of `ctx` (the active context by default), for a row that carries it on. */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  if (!active) return undefined;
  const carrier: { traceparent?: string } = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent;
}

/** The context a stored `traceparent` continues (the root context when there is none). */
export const contextFrom = (traceparent: string | null | undefined): Context =>
  traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;

/**
 * Runs `work` in a span named `name` of the `scope` tracer, as a child of `parent` (or the
 * active context), ending it when `work` settles; an error marks the span. Without tracing it
 * calls `work` with no span at all.
 */
export function traced<T>(
  scope: string,
  name: string,
  work: (span: Span | null) => Promise<T>,
  options: { parent?: Context; kind?: SpanKind; attributes?: Attributes } = {},
): Promise<T> {
  if (!active) return work(null);
  const parent = options.parent ?? context.active();
  return trace.getTracer(scope).startActiveSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      ...(options.attributes ? { attributes: options.attributes } : {}),
    },
    parent,
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * Starts a span that something else ends (a connect whose outcome settles later), with the
 * `traceparent` its work carries on; null when tracing is off.
 */
export function openSpan(
  scope: string,
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes } = {},
): { span: Span; traceparent: string | undefined } | null {
  if (!active) return null;
  const span = trace.getTracer(scope).startSpan(name, {
    kind: options.kind ?? SpanKind.INTERNAL,
    ...(options.attributes ? { attributes: options.attributes } : {}),
  });
  return { span, traceparent: traceparentOf(trace.setSpan(context.active(), span)) };
}
