import type { Database } from '../../db/client';
import { isValidId, type DeviceKey } from '../../twins/ids';
import type { DeviceLinks } from '../device-links';
import { pickSubprotocol, type OcppVersion } from './ocpp-version';
import { findStation } from './station-directory';

/** Station identities: at most 48 characters, no ':' (it separates Basic auth's user and password). */
const MAX_IDENTITY = 48;

/** What the upgrade request said, copied before any await (uWS frees the request after). */
export interface UpgradeRequest {
  url: string;
  authorization: string;
  protocols: string;
  /** Set by the TLS terminator (deploy/nginx): SUCCESS, FAILED:<reason> or NONE. */
  clientVerify: string;
  /** The verified client certificate's subject, RFC 2253 (CN=CP-0001,O=Acme Charging). */
  clientSubject: string;
  /** Whether the request came from a trusted TLS terminator (only then do the two above count). */
  fromTrustedProxy: boolean;
}

/** The CN of an RFC 2253 subject, or null. */
export function commonName(subject: string): string | null {
  const match = /(?:^|,)\s*CN=((?:\\,|[^,])*)/.exec(subject);
  return match ? match[1]!.replace(/\\,/g, ',').trim() : null;
}

export type Handshake =
  | {
      ok: true;
      key: DeviceKey;
      model: string | null;
      version: OcppVersion | null;
      /** The station's own new password, when it came with its claim token (set it there). */
      claimed?: string;
    }
  | { ok: false; status: '404 Not Found' | '401 Unauthorized' | '503 Service Unavailable' };

/** `/ocpp/{identity}` or `/ocpp/{tenant}/{identity}`: tenant (or null) and identity, decoded. */
export function readPath(url: string): { tenantId: string | null; identity: string } | null {
  const segments = url.replace(/^\/ocpp\/?/, '').split('/');
  if (segments.length < 1 || segments.length > 2) return null;
  let decoded: string[];
  try {
    decoded = segments.map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
  const identity = decoded.at(-1)!;
  const tenantId = decoded.length === 2 ? decoded[0]! : null;
  if (identity.length === 0 || identity.length > MAX_IDENTITY || identity.includes(':'))
    return null;
  // Doppel's device and tenant ids are slugs: anything else cannot name a device.
  if (!isValidId(identity) || (tenantId !== null && !isValidId(tenantId))) return null;
  return { tenantId, identity };
}

/** The password of an HTTP Basic `Authorization` header whose user is `identity`, else null. */
export function readBasicAuth(header: string, identity: string): string | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0 || decoded.slice(0, colon) !== identity) return null;
  return decoded.slice(colon + 1);
}

/**
 * Decides an OCPP upgrade before it happens (security profiles 1 and 2): an identity that
 * names no device is 404, a missing or wrong password 401. The subprotocol is picked here;
 * none agreed still upgrades (the endpoint then closes), as OCPP-J asks.
 */
export async function decideHandshake(
  request: UpgradeRequest,
  deps: { database: Database; links: DeviceLinks },
): Promise<Handshake> {
  const target = readPath(request.url);
  if (!target) return { ok: false, status: '404 Not Found' };
  const key = await findStation(deps.database, target.identity, target.tenantId);
  if (!key) return { ok: false, status: '404 Not Found' };
  // Security profile 3: the terminator verified a client certificate; its CN must be the
  // station's identity (serial). A certificate that failed verification is refused outright.
  if (request.fromTrustedProxy && request.clientVerify.startsWith('FAILED')) {
    deps.links.logger.warn(
      { identity: target.identity, verify: request.clientVerify },
      'security event: invalid client certificate',
    );
    return { ok: false, status: '401 Unauthorized' };
  }
  if (request.fromTrustedProxy && request.clientVerify === 'SUCCESS') {
    const cn = commonName(request.clientSubject);
    if (cn !== target.identity) {
      deps.links.logger.warn(
        { identity: target.identity, cn },
        'security event: certificate CN is not the station identity',
      );
      return { ok: false, status: '401 Unauthorized' };
    }
    const admitted = await deps.links.authenticateCertificate(key);
    if (!admitted) return { ok: false, status: '401 Unauthorized' };
    return { ok: true, key, model: admitted.model, version: pickSubprotocol(request.protocols) };
  }
  const password = readBasicAuth(request.authorization, target.identity);
  if (password === null) return { ok: false, status: '401 Unauthorized' };
  const version = pickSubprotocol(request.protocols);
  const admitted = await deps.links.authenticate(key, password);
  if (admitted) return { ok: true, key, model: admitted.model, version };
  // A station provisioned with a claim token presents it as its password the first time: it
  // gets a password of its own, which the session sets on the station once it booted.
  const claimed = await deps.links.claim(key, password);
  const owned = claimed === null ? null : await deps.links.authenticate(key, claimed);
  if (!owned || claimed === null) return { ok: false, status: '401 Unauthorized' };
  return { ok: true, key, model: owned.model, version, claimed };
}
