import { SpanKind, context, trace, type Span } from '@opentelemetry/api';
import type { DeviceKey } from '../twins/ids';
import { openSpan, traced, tracing } from '../observability/tracing';

/** Who sent a device message, as its span tells. */
interface Sender {
  readonly key: DeviceKey;
  readonly protocol: string;
}

const attributesOf = (from: Sender, sessionId: string) => ({
  'doppel.tenant': from.key.tenantId,
  'doppel.device': from.key.deviceId,
  'doppel.protocol': from.protocol,
  'doppel.session': sessionId,
});

/**
 * Runs a device message's work in a span of its own, from receipt to ack, when tracing is on;
 * off, it calls `work` and makes nothing. The span is the active context of the work, so the
 * ingest writer stores its `traceparent` with what the message commits (its outbox rows, the
 * twin notice it raises): the trace goes on from there in the worker and the API.
 */
export function messageSpan<T>(
  name: 'device report' | 'device telemetry',
  from: Sender & { readonly sessionId: string },
  /** The report's seq, or the number of telemetry samples. */
  figure: number,
  work: () => Promise<T>,
): Promise<T> {
  if (!tracing()) return work();
  return traced('doppel-gateway', name, work, {
    kind: SpanKind.SERVER,
    attributes: {
      ...attributesOf(from, from.sessionId),
      [name === 'device report' ? 'doppel.seq' : 'doppel.samples']: figure,
    },
  });
}

/** The connect's span (tracing on), for `spanned`; null when tracing is off. */
export const connectSpan = (from: Sender, sessionId: string): Span | null =>
  tracing()
    ? (openSpan('doppel-gateway', 'device connect', {
        kind: SpanKind.SERVER,
        attributes: attributesOf(from, sessionId),
      })?.span ?? null)
    : null;

/** Runs `work` with `span` active and ends the span when the work settles; without a span, just runs it. */
export function spanned<T>(span: Span | null, work: () => Promise<T>): Promise<T> {
  if (!span) return work();
  return context.with(trace.setSpan(context.active(), span), work).finally(() => span.end());
}
