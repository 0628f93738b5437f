import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import type { DeviceLinks } from '../device-links';
import { sourceAddress } from '../source-address';

export interface UpgradeRefusal {
  status: '429 Too Many Requests' | '503 Service Unavailable';
  retryAfterS: number;
  code: string;
  text: string;
}

/**
 * Why an OCPP upgrade is refused before it costs anything, or null: too many upgrades being
 * decided already, the source address locked out after failed logins, or the gateway's
 * admission rate (the same token bucket as /device and /mqtt).
 */
export function admissionRefusal(
  res: HttpResponse,
  req: HttpRequest,
  opts: { links: DeviceLinks; trustedProxies: readonly string[]; maxUpgradesInFlight: number },
  inFlight: { count: number },
): UpgradeRefusal | null {
  if (inFlight.count >= opts.maxUpgradesInFlight)
    return {
      status: '503 Service Unavailable',
      retryAfterS: 1,
      code: 'gateway:admission.upgrades-in-flight',
      text: 'too many connections being opened; retry shortly',
    };
  const lockedMs = opts.links.loginLockedFor(null, sourceAddress(res, req, opts.trustedProxies));
  if (lockedMs > 0)
    return {
      status: '429 Too Many Requests',
      retryAfterS: Math.ceil(lockedMs / 1000),
      code: 'gateway:auth.locked',
      text: 'too many failed logins from this address; retry later',
    };
  if (!opts.links.admit())
    return {
      status: '503 Service Unavailable',
      retryAfterS: 1,
      code: 'gateway:admission.rate-limited',
      text: 'too many new connections; retry shortly',
    };
  return null;
}
