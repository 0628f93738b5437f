import { SpanKind } from '@opentelemetry/api';
import type { DeviceKey } from '../twins/ids';
import { openSpan, traced, traceparentOf } from '../observability/tracing';

/** Who sent a device message, as its span tells. */
interface Sender {
  readonly key: DeviceKey;
  readonly protocol: string;
  readonly sessionId: string;
}

const attributesOf = (from: Sender, extra: Record<string, string | number> = {}) => ({
  'doppel.tenant': from.key.tenantId,
  'doppel.device': from.key.deviceId,
  'doppel.protocol': from.protocol,
  'doppel.session': from.sessionId,
  ...extra,
});

/**
 * A span per device message (tracing on only: callers check `tracing()` first, so the hot
 * path does no span work when it is off), from receipt to ack. `work` gets the span's
 * `traceparent`, which rides on the outbox rows and the twin notice the message commits.
 */
export function messageSpan<T>(
  name: 'device report' | 'device telemetry',
  from: Sender,
  extra: Record<string, string | number>,
  work: (traceparent: string | undefined) => Promise<T>,
): Promise<T> {
  return traced('doppel-gateway', name, () => work(traceparentOf()), {
    kind: SpanKind.SERVER,
    attributes: attributesOf(from, extra),
  });
}

/** The connect's span, ended by the caller when the connect settles. */
export const connectSpan = (from: Sender) =>
  openSpan('doppel-gateway', 'device connect', {
    kind: SpanKind.SERVER,
    attributes: attributesOf(from),
  });
