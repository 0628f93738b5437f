import { GET_LOG, readGetLog } from '../../twins/commands/get-log';
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
  const logRequest = name === GET_LOG ? readGetLog(params) : null;
  if (logRequest) {
    // `upload-log`: PUT or POST the log file to `url` (docs/device-protocol.md).
    const { location, from, to } = logRequest;
    return {
      name: 'upload-log',
      params: { url: location, ...(from ? { from } : {}), ...(to ? { to } : {}) },
    };
  }
  if (!update) return { name, params };
  const { version, location, checksum } = update;
  return {
    name: 'update-firmware',
    params: { version, url: location, ...(checksum ? { checksum } : {}) },
  };
}
