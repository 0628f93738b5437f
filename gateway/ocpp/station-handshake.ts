import type { Database } from '../../db/client';
import { isValidId, OCPP_IDENTITY_MAX, type DeviceKey } from '../../twins/ids';
import type { DeviceLinks } from '../device-links';
import { pickSubprotocol, type OcppVersion } from './ocpp-version';
import { parseDistinguishedName, valuesOf } from './distinguished-name';
import { findStation } from '../../db/station-directory';

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
  /** The station's address (behind a trusted terminator, the one it forwarded). */
  source: string;
}

/**
 * Why a verified certificate's subject cannot be this station's, or null when it can: exactly
 * one CN, the station's identity, and exactly one O, its tenant's id (docs/security.md,
 * "Station certificates"). The installation's CA vouches for the O it signs, so a station of
 * one tenant cannot pose as another tenant's station of the same identity.
 */
export function certificateMismatch(subject: string, key: DeviceKey): string | null {
  const attributes = parseDistinguishedName(subject);
  if (!attributes) return 'the certificate subject cannot be read';
  const cns = valuesOf(attributes, 'CN');
  if (cns.length !== 1 || cns[0] !== key.deviceId)
    return 'the certificate CN is not the station identity';
  const orgs = valuesOf(attributes, 'O');
  if (orgs.length !== 1 || orgs[0] !== key.tenantId)
    return "the certificate O is not the station's tenant";
  return null;
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
  | {
      ok: false;
      status:
        '404 Not Found' | '401 Unauthorized' | '429 Too Many Requests' | '503 Service Unavailable';
      /** With 429: when the station may try again (its failed logins locked it out). */
      retryAfterS?: number;
      /** The refusal's code, counted in `doppel_gateway_rejected_total`. */
      code: string;
    };

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
  // At most 48 characters, no ':' (it separates Basic auth's user and password).
  if (identity.length === 0 || identity.length > OCPP_IDENTITY_MAX || identity.includes(':'))
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
 * OCPP 1.6's AuthorizationKey is set as hexadecimal digits and the whitepaper has the station
 * send the bytes they stand for; some stations send the digits themselves. A password of
 * 32–40 hex digits whose bytes are the printable password Doppel issued is let in as those
 * bytes (the same secret, spelt the other way: no entropy is lost).
 */
async function authenticateHexKey(
  links: DeviceLinks,
  key: DeviceKey,
  password: string,
): Promise<Awaited<ReturnType<DeviceLinks['authenticate']>>> {
  if (!/^(?:[0-9A-Fa-f]{2}){16,20}$/.test(password)) return false;
  const bytes = Buffer.from(password, 'hex').toString('latin1');
  if (!/^[\x21-\x7e]+$/.test(bytes)) return false;
  return links.authenticate(key, bytes);
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
  const { links, database } = deps;
  const refused = (
    key: DeviceKey | null,
    status: '404 Not Found' | '401 Unauthorized',
  ): Handshake => {
    const code =
      status === '404 Not Found' ? 'gateway:ocpp.unknown-station' : 'gateway:auth.refused';
    links.loginFailed(key, request.source, code);
    return { ok: false, status, code };
  };
  const target = readPath(request.url);
  if (!target) return refused(null, '404 Not Found');
  const key = await findStation(database, target.identity, target.tenantId);
  if (!key) return refused(null, '404 Not Found');
  const lockedMs = links.loginLockedFor(key, request.source);
  if (lockedMs > 0)
    return {
      ok: false,
      status: '429 Too Many Requests',
      retryAfterS: Math.ceil(lockedMs / 1000),
      code: 'gateway:auth.locked',
    };
  // Security profile 3: the terminator verified a client certificate; its CN must be the
  // station's identity (serial). A certificate that failed verification is refused outright.
  if (request.fromTrustedProxy && request.clientVerify.startsWith('FAILED')) {
    links.logger.warn(
      { identity: target.identity, verify: request.clientVerify },
      'security event: invalid client certificate',
    );
    return refused(key, '401 Unauthorized');
  }
  if (request.fromTrustedProxy && request.clientVerify === 'SUCCESS') {
    const mismatch = certificateMismatch(request.clientSubject, key);
    if (mismatch) {
      links.logger.warn(
        { tenant: key.tenantId, identity: target.identity, subject: request.clientSubject },
        `security event: ${mismatch}`,
      );
      return refused(key, '401 Unauthorized');
    }
    const admitted = await links.authenticateCertificate(key);
    if (!admitted) return refused(key, '401 Unauthorized');
    links.loginSucceeded(key);
    return { ok: true, key, model: admitted.model, version: pickSubprotocol(request.protocols) };
  }
  const password = readBasicAuth(request.authorization, target.identity);
  if (password === null) return refused(key, '401 Unauthorized');
  const version = pickSubprotocol(request.protocols);
  const admitted =
    (await links.authenticate(key, password)) || (await authenticateHexKey(links, key, password));
  if (admitted) {
    links.loginSucceeded(key);
    return { ok: true, key, model: admitted.model, version };
  }
  // A station provisioned with a claim token presents it as its password the first time: it
  // gets a password of its own, which the session sets on the station once it booted: one a
  // station can keep (at most 20 bytes for a 1.6 AuthorizationKey).
  const claimed = await links.claim(key, password, 'station-password');
  const owned = claimed === null ? null : await links.authenticate(key, claimed);
  if (!owned || claimed === null) return refused(key, '401 Unauthorized');
  links.loginSucceeded(key);
  return { ok: true, key, model: owned.model, version, claimed };
}
