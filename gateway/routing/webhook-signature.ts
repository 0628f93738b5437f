import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Egress } from './egress';

export const SIGNATURE_HEADER = 'x-doppel-signature';
export const TIMESTAMP_HEADER = 'x-doppel-timestamp';

/**
 * The signature of one delivery: HMAC-SHA256 over `${timestamp}.${body}` with the backend's
 * secret, hex, prefixed `sha256=`. Signing the timestamp lets a receiver refuse old replays.
 *
 * @example signWebhook('0123456789abcdef', 1700000000, '{}') // 'sha256=…'
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Checks a delivery as a receiver would (constant-time compare). */
export function verifyWebhook(
  secret: string,
  timestamp: number,
  body: string,
  signature: string,
): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * POSTs a body signed with `secret` (timestamp and signature headers), within `timeoutMs`,
 * through `egress` (a tenant-given URL: private networks refused, redirects not followed).
 */
export function postSigned(
  egress: Egress,
  url: string,
  secret: string,
  body: string,
  options: { contentType: string; timeoutMs: number },
) {
  const timestamp = Math.floor(Date.now() / 1000);
  return egress.fetch(url, {
    method: 'POST',
    headers: {
      'content-type': options.contentType,
      [TIMESTAMP_HEADER]: String(timestamp),
      [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
    },
    body,
    signal: AbortSignal.timeout(options.timeoutMs),
  });
}
