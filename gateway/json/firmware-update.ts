import { FIRMWARE_UPDATE, readFirmwareUpdate } from '../../twins/commands/firmware-update';

/**
 * A command as a native JSON device gets it: the neutral `firmware-update` becomes the
 * `update-firmware` command (`{ version, url, checksum? }`, docs/device-protocol.md); any other
 * command goes as it is.
 */
export function jsonCommand(
  name: string,
  params: Record<string, unknown>,
): { name: string; params: Record<string, unknown> } {
  const update = name === FIRMWARE_UPDATE ? readFirmwareUpdate(params) : null;
  if (!update) return { name, params };
  const { version, location, checksum } = update;
  return {
    name: 'update-firmware',
    params: { version, url: location, ...(checksum ? { checksum } : {}) },
  };
}
