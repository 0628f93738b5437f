import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import type { DeviceLinks } from './device-links';

/** Where a connection comes from, as far as the trusted proxies in front of the gateway say. */
export interface ConnectionOrigin {
  /** The device's address: what lock-outs and logs key on. */
  source: string;
  /** The request's HTTP headers were set by a trusted proxy (the TLS terminator's
   * X-Client-Verify / X-Client-Subject may be believed). */
  fromTrustedProxy: boolean;
}

/**
 * Walks back from the peer through the trusted proxies (GATEWAY_TRUSTED_PROXIES): an L4
 * balancer (HAProxy `send-proxy-v2`) names the connection's origin in a PROXY protocol header,
 * which uWS parses; a TLS terminator (deploy/nginx) names the client in X-Forwarded-For. A
 * PROXY header or X-Forwarded-For from a peer that is not trusted is ignored, and HTTP headers
 * count as a trusted proxy's only when the hop that sent them (the PROXY header's origin behind
 * a balancer, else the peer) is trusted: behind a balancer alone, they are the device's own.
 * Read in the upgrade handler (uWS frees the request after it).
 */
export function connectionOrigin(
  res: HttpResponse,
  req: HttpRequest,
  trustedProxies: readonly string[],
): ConnectionOrigin {
  let hop = Buffer.from(res.getRemoteAddressAsText()).toString();
  if (!trustedProxies.includes(hop)) return { source: hop, fromTrustedProxy: false };
  const proxied = Buffer.from(res.getProxiedRemoteAddressAsText()).toString();
  if (proxied) {
    hop = proxied;
    if (!trustedProxies.includes(hop)) return { source: hop, fromTrustedProxy: false };
  }
  const forwarded = req.getHeader('x-forwarded-for').split(',').at(-1)?.trim();
  return { source: forwarded || hop, fromTrustedProxy: true };
}

/** The address a device connects from (see connectionOrigin). */
export function sourceAddress(
  res: HttpResponse,
  req: HttpRequest,
  trustedProxies: readonly string[],
): string {
  return connectionOrigin(res, req, trustedProxies).source;
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
