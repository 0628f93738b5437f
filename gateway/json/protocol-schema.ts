import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { deviceMessage } from './messages';

export const DEVICE_PROTOCOL_SCHEMA_FILE = fileURLToPath(
  new URL('../../docs/device-protocol.schema.json', import.meta.url),
);

/** The JSON Schema of what a device may send, derived from the gateway's own validator. */
export function deviceProtocolSchema() {
  return {
    ...z.toJSONSchema(deviceMessage, { io: 'input' }),
    $id: 'urn:doppel:device-protocol:v1',
    title: 'Doppel native JSON device protocol v1: device → gateway messages',
  };
}
