import { DoppelError } from '../../twins/errors';

/** MQTT 5 reason codes the gateway sends (spec 2.4); 3.1.1 knows only the CONNACK ones below. */
export const Reason = {
  success: 0x00,
  disconnectWithWill: 0x04,
  /** PUBACK: taken, but nobody wanted it (an answer to a command no longer waiting). */
  noMatchingSubscribers: 0x10,
  noSubscriptionExisted: 0x11,
  unspecified: 0x80,
  malformedPacket: 0x81,
  protocolError: 0x82,
  implementationSpecific: 0x83,
  unsupportedProtocolVersion: 0x84,
  clientIdentifierNotValid: 0x85,
  notAuthorized: 0x87,
  serverUnavailable: 0x88,
  serverBusy: 0x89,
  serverShuttingDown: 0x8b,
  badAuthenticationMethod: 0x8c,
  keepAliveTimeout: 0x8d,
  sessionTakenOver: 0x8e,
  receiveMaximumExceeded: 0x93,
  topicAliasInvalid: 0x94,
  packetTooLarge: 0x95,
  quotaExceeded: 0x97,
  administrativeAction: 0x98,
  payloadFormatInvalid: 0x99,
  retainNotSupported: 0x9a,
  qosNotSupported: 0x9b,
  connectionRateExceeded: 0x9f,
} as const;

/** MQTT 3.1.1 CONNACK return codes (spec 3.2.2.3). */
export const ReturnCode = {
  accepted: 0,
  unacceptableProtocolVersion: 1,
  identifierRejected: 2,
  serverUnavailable: 3,
  notAuthorized: 5,
} as const;

/** MQTT 3.1.1 SUBACK failure (spec 3.9.3). */
export const SUBACK_FAILURE_V4 = 0x80;

/**
 * Why the gateway ends an MQTT connection, by error code. Adapters throw a DoppelError with
 * one of these codes and the session maps it here, once: MQTT 5 hears the reason code in a
 * DISCONNECT, 3.1.1 has no way to say why and is just closed.
 */
const REASON_BY_CODE: Record<string, number> = {
  'gateway:mqtt.malformed-packet': Reason.malformedPacket,
  'gateway:mqtt.protocol-error': Reason.protocolError,
  'gateway:mqtt.keep-alive-timeout': Reason.keepAliveTimeout,
  'gateway:mqtt.receive-maximum-exceeded': Reason.receiveMaximumExceeded,
  'gateway:mqtt.topic-alias-invalid': Reason.topicAliasInvalid,
  'gateway:mqtt.packet-too-large': Reason.packetTooLarge,
  'gateway:mqtt.quota-exceeded': Reason.quotaExceeded,
  'gateway:mqtt.retain-not-supported': Reason.retainNotSupported,
  'gateway:mqtt.qos-not-supported': Reason.qosNotSupported,
  // 3.1.1 has no negative PUBACK: a refused publish there ends the connection with these.
  'gateway:mqtt.topic-not-allowed': Reason.notAuthorized,
  'gateway:mqtt.payload-format-invalid': Reason.payloadFormatInvalid,
};

export type MqttErrorCode =
  | 'malformed-packet'
  | 'protocol-error'
  | 'keep-alive-timeout'
  | 'receive-maximum-exceeded'
  | 'topic-alias-invalid'
  | 'packet-too-large'
  | 'quota-exceeded'
  | 'retain-not-supported'
  | 'qos-not-supported'
  | 'topic-not-allowed'
  | 'payload-format-invalid';

/** A rule of the MQTT spec (or of this gateway) that the device broke. */
export function mqttError(code: MqttErrorCode, message: string): DoppelError {
  return new DoppelError(`gateway:mqtt.${code}`, message);
}

/** The DISCONNECT reason code for an error; anything unforeseen is the server's own fault. */
export function reasonOf(error: unknown): number {
  const code = error instanceof DoppelError ? error.code : '';
  return REASON_BY_CODE[code] ?? Reason.implementationSpecific;
}
