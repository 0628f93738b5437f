import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';

/**
 * How a receiver checks that a POST came from Doppel. Two wire formats, each documented where
 * its receivers read about it, one signer for both (`signatureHeaders`):
 *
 * - `standard-webhooks`: partner webhooks (README, "Partner webhooks"): `webhook-id`,
 *   `webhook-timestamp`, `webhook-signature: v1,<base64>`, HMAC-SHA256 over
 *   `<id>.<timestamp>.<body>` with a `whsec_` key, verifiable by the spec's libraries.
 * - `doppel-hmac`: the gateway's webhook backends (docs/backends.md) and admission hooks
 *   (docs/fleet-operations.md): `x-doppel-timestamp`, `x-doppel-signature: sha256=<hex>`,
 *   HMAC-SHA256 over `<timestamp>.<body>` with the secret as given.
 */
export type Signing =
  | { scheme: 'standard-webhooks'; secret: string; /** the delivery's id, signed */ id: string }
  | { scheme: 'doppel-hmac'; secret: string };

export const DOPPEL_SIGNATURE_HEADER = 'x-doppel-signature';
export const DOPPEL_TIMESTAMP_HEADER = 'x-doppel-timestamp';

/**
 * The `doppel-hmac` signature: HMAC-SHA256 over `${timestamp}.${body}`, hex, prefixed
 * `sha256=`. Signing the timestamp lets a receiver refuse old replays.
 *
 * @example doppelHmac('0123456789abcdef', 1700000000, '{}') // 'sha256=…'
 */
export function doppelHmac(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Checks a `doppel-hmac` delivery as a receiver would (constant-time compare). */
export function verifyDoppelHmac(
  secret: string,
  timestamp: number,
  body: string,
  signature: string,
): boolean {
  const expected = Buffer.from(doppelHmac(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * The headers that sign `body`, sent at `at`, in the signing's scheme.
 *
 * @example signatureHeaders({ scheme: 'doppel-hmac', secret }, '{}', new Date())
 * // { 'x-doppel-timestamp': '1700000000', 'x-doppel-signature': 'sha256=…' }
 */
export function signatureHeaders(signing: Signing, body: string, at: Date): Record<string, string> {
  const timestamp = Math.floor(at.getTime() / 1000);
  if (signing.scheme === 'doppel-hmac')
    return {
      [DOPPEL_TIMESTAMP_HEADER]: String(timestamp),
      [DOPPEL_SIGNATURE_HEADER]: doppelHmac(signing.secret, timestamp, body),
    };
  return {
    'webhook-id': signing.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': new StandardWebhook(signing.secret).sign(signing.id, at, body),
  };
}
