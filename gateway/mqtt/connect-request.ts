import type { IConnackPacket, IConnectPacket } from 'mqtt-packet';
import { isValidId, type DeviceKey } from '../../twins/ids';
import { Reason, ReturnCode } from './reason-codes';

/** What the gateway announces to MQTT 5 clients in CONNACK and enforces on every packet. */
export interface MqttLimits {
  /** Largest MQTT packet accepted, fixed header included (MQTT 5 Maximum Packet Size). */
  maxPacketBytes: number;
  /** QoS 1 publishes a client may have unacknowledged at once (MQTT 5 Receive Maximum). */
  receiveMaximum: number;
  topicAliasMaximum: number;
}

export interface ConnectRequest {
  key: DeviceKey;
  clientId: string;
  secret: string;
  /**
   * Set when the password is `claim:<claim token>`: a provisioned device's first connect; it
   * receives its own secret in CONNACK (MQTT 5 user property `doppel-token`) or, on 3.1.1, in a
   * PUBLISH to `doppel/<tenant>/<device>/credentials` right after it.
   */
  claim?: string;
  /** The device sent an empty client id and the gateway assigned its own. */
  assigned: boolean;
}

/**
 * Reads who a CONNECT claims to be: username `<tenant>/<device>`, the device token as password,
 * and a client id that is the username again (or empty). Null when the packet cannot name a
 * device it may speak for: the answer is then "not authorized", the same as a wrong token, so
 * a client learns nothing about which devices exist.
 */
export function readConnectRequest(packet: IConnectPacket): ConnectRequest | null {
  const parts = (packet.username ?? '').split('/');
  const [tenantId, deviceId] = parts;
  if (parts.length !== 2 || !tenantId || !deviceId) return null;
  if (!isValidId(tenantId) || !isValidId(deviceId)) return null;
  const clientId = `${tenantId}/${deviceId}`;
  // The client id carries the tenant, so a session can only ever be taken over within it.
  if (packet.clientId !== '' && packet.clientId !== clientId) return null;
  const secret = packet.password?.toString('utf8') ?? '';
  if (!secret) return null;
  const request = {
    key: { tenantId, deviceId },
    clientId,
    secret,
    assigned: packet.clientId === '',
  };
  if (!secret.startsWith(CLAIM_PREFIX)) return request;
  const claim = secret.slice(CLAIM_PREFIX.length);
  return claim ? { ...request, secret: '', claim } : null;
}

/** A password of this form is a claim token, not a secret. */
export const CLAIM_PREFIX = 'claim:';

export type Refusal =
  | 'not-authorized'
  | 'server-unavailable'
  | 'identifier-rejected'
  | 'bad-auth'
  | 'unsupported-version'
  | 'rate-exceeded';

const V5_REFUSAL: Record<Refusal, number> = {
  'not-authorized': Reason.notAuthorized,
  'server-unavailable': Reason.serverUnavailable,
  'identifier-rejected': Reason.clientIdentifierNotValid,
  'bad-auth': Reason.badAuthenticationMethod,
  'unsupported-version': Reason.unsupportedProtocolVersion,
  'rate-exceeded': Reason.connectionRateExceeded,
};
const V4_REFUSAL: Record<Refusal, number> = {
  'not-authorized': ReturnCode.notAuthorized,
  'server-unavailable': ReturnCode.serverUnavailable,
  'identifier-rejected': ReturnCode.identifierRejected,
  'bad-auth': ReturnCode.notAuthorized,
  'unsupported-version': ReturnCode.unacceptableProtocolVersion,
  'rate-exceeded': ReturnCode.serverUnavailable,
};

export function refusedConnack(version: 4 | 5, refusal: Refusal): IConnackPacket {
  return version === 5
    ? { cmd: 'connack', sessionPresent: false, reasonCode: V5_REFUSAL[refusal] }
    : { cmd: 'connack', sessionPresent: false, returnCode: V4_REFUSAL[refusal] };
}

/**
 * Accepts the connection. Sessions are not kept across connections (session present is always
 * false, MQTT 5 session expiry is cut to 0), and the limits are announced to MQTT 5 clients.
 */
export function acceptedConnack(
  version: 4 | 5,
  request: ConnectRequest,
  packet: IConnectPacket,
  limits: MqttLimits,
): IConnackPacket {
  if (version === 4) return { cmd: 'connack', sessionPresent: false, returnCode: 0 };
  const issued = request.claim ? { userProperties: { 'doppel-token': request.secret } } : {};
  return {
    cmd: 'connack',
    sessionPresent: false,
    reasonCode: Reason.success,
    properties: {
      receiveMaximum: limits.receiveMaximum,
      maximumPacketSize: limits.maxPacketBytes,
      topicAliasMaximum: limits.topicAliasMaximum,
      maximumQoS: 1,
      retainAvailable: false,
      wildcardSubscriptionAvailable: false,
      subscriptionIdentifiersAvailable: false,
      sharedSubscriptionAvailable: false,
      ...(request.assigned ? { assignedClientIdentifier: request.clientId } : {}),
      ...(packet.properties?.sessionExpiryInterval ? { sessionExpiryInterval: 0 } : {}),
      ...issued,
    },
  };
}
