import { FIRMWARE_UPDATE, readFirmwareUpdate } from '../../twins/commands/firmware-update';

/**
 * What an MQTT device gets for the neutral `firmware-update`: a desired `firmware` (`{ version,
 * url, checksum? }`) on its desired topic, which it applies, reboots and reports (docs/mqtt.md);
 * null for any other command (those go to the command topic).
 */
export function mqttFirmwareDesired(
  name: string,
  params: Record<string, unknown>,
): Record<string, unknown> | null {
  const update = name === FIRMWARE_UPDATE ? readFirmwareUpdate(params) : null;
  if (!update) return null;
  const { version, location, checksum } = update;
  return { firmware: { version, url: location, ...(checksum ? { checksum } : {}) } };
}
