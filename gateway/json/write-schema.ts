// `npm run docs:schema`: writes the published JSON Schema of the native device protocol.
import { writeFileSync } from 'node:fs';
import { deviceProtocolSchema, DEVICE_PROTOCOL_SCHEMA_FILE } from './protocol-schema';

writeFileSync(DEVICE_PROTOCOL_SCHEMA_FILE, `${JSON.stringify(deviceProtocolSchema(), null, 2)}\n`);
console.log(`wrote ${DEVICE_PROTOCOL_SCHEMA_FILE}`);
