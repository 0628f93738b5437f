import type { DeviceKey } from '../../twins/ids';
import { mqttError } from './reason-codes';

/*
 * The topics of a device (docs/mqtt.md). Tenant and device ids cannot contain "/", "+" or "#"
 * (ID_PATTERN), so a topic names exactly one device and never reads as a wildcard.
 */

/** Where the device publishes its reported state, a JSON object. */
export const reportTopic = (key: DeviceKey) => `doppel/${key.tenantId}/${key.deviceId}/report`;

/** Where the device publishes measurements, `{ "samples": [{ "at": ISO time, "values": {...} }] }`. */
export const telemetryTopic = (key: DeviceKey) =>
  `doppel/${key.tenantId}/${key.deviceId}/telemetry`;

/**
 * Where the device publishes log lines, `{ "lines": [{ "at", "level", "text", "source"?,
 * "attributes"? }] }` (stored in the device log; past the device's rate, lines are dropped).
 */
export const logTopic = (key: DeviceKey) => `doppel/${key.tenantId}/${key.deviceId}/log`;

/** Where the gateway publishes the desired-state delta, `{ "version": n, "state": {...} }`. */
export const desiredTopic = (key: DeviceKey) => `doppel/${key.tenantId}/${key.deviceId}/desired`;

/**
 * Where the gateway publishes a command, `{ "id", "name", "params", "expiresAt" }`. Command ids
 * are chosen by the caller and may hold any character, so the topic level is percent-encoded.
 */
export const commandTopic = (key: DeviceKey, commandId: string) =>
  `doppel/${key.tenantId}/${key.deviceId}/commands/${encodeURIComponent(commandId)}`;

/** The one filter a device subscribes with to receive its commands. */
export const commandFilter = (key: DeviceKey) =>
  `doppel/${key.tenantId}/${key.deviceId}/commands/+`;

/**
 * Where the device answers a command, `{ "id", "status", "result" }` (MQTT 5: the command's
 * Response Topic, the id may come as Correlation Data instead).
 */
export const commandResultsTopic = (key: DeviceKey) =>
  `doppel/${key.tenantId}/${key.deviceId}/command-results`;

/** Where a 3.1.1 device that claimed its identity receives its secret, `{ "token": "…" }` (QoS 0, once). */
export const credentialsTopic = (key: DeviceKey) =>
  `doppel/${key.tenantId}/${key.deviceId}/credentials`;

/** Throws for a topic no MQTT peer may send: U+0000 in any topic, wildcards in a PUBLISH topic. */
export function checkTopic(topic: string, kind: 'name' | 'filter'): void {
  // mqtt-packet decodes strings without checking them; the spec makes U+0000 a malformed packet.
  if (topic.includes('\u0000'))
    throw mqttError('malformed-packet', 'a topic must not contain U+0000');
  if (kind === 'name' && /[+#]/.test(topic))
    throw mqttError('malformed-packet', 'a PUBLISH topic must not contain wildcards');
}
