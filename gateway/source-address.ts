import type { HttpRequest, HttpResponse } from 'uWebSockets.js';

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
