import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import type { DeviceLinks } from './device-links';

/**
 * The address a device connects from: the TLS terminator's X-Forwarded-For when the request
 * comes from a trusted one (deploy/nginx sets it to the client's address), else the peer's.
 * Read in the upgrade handler (uWS frees the request after it).
 */
export function sourceAddress(
  res: HttpResponse,
  req: HttpRequest,
  trustedProxies: readonly string[],
): string {
  const peer = Buffer.from(res.getRemoteAddressAsText()).toString();
  if (!trustedProxies.includes(peer)) return peer;
  const forwarded = req.getHeader('x-forwarded-for').split(',').at(-1)?.trim();
  return forwarded || peer;
}

/**
 * Answers 429 with Retry-After before the upgrade when `source` is locked out after too many
 * failed logins (gateway/auth-failures.ts), and counts the refusal; false when it may go on.
 */
export function refusedLockedSource(
  res: HttpResponse,
  links: DeviceLinks,
  protocol: string,
  source: string,
): boolean {
  const lockedMs = links.loginLockedFor(null, source);
  if (lockedMs <= 0) return false;
  links.refuse(protocol, 'gateway:auth.locked');
  res
    .writeStatus('429 Too Many Requests')
    .writeHeader('Retry-After', String(Math.ceil(lockedMs / 1000)))
    .end('too many failed logins from this address; retry later');
  return true;
}
