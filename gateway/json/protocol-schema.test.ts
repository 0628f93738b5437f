import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deviceMessage } from './messages';
import { DEVICE_PROTOCOL_SCHEMA_FILE, deviceProtocolSchema } from './protocol-schema';

describe('the published device protocol schema', () => {
  it('matches the validator the gateway runs (regenerate with npm run docs:schema)', () => {
    expect(JSON.parse(readFileSync(DEVICE_PROTOCOL_SCHEMA_FILE, 'utf8'))).toEqual(
      deviceProtocolSchema(),
    );
  });

  it.each([
    [{ type: 'hello', seq: 1, tenant: 'acme', device: 'c-1', token: 't' }, true],
    [{ type: 'report', seq: 2, state: { t: 1, nested: { a: [1, null] } } }, true],
    [{ type: 'report', seq: 2, state: {} }, false],
    [{ type: 'report', seq: 0, state: { a: 1 } }, false],
    [{ type: 'report', seq: 1.5, state: { a: 1 } }, false],
    [{ type: 'report', seq: '2', state: { a: 1 } }, false],
    [{ type: 'hello', seq: 1, tenant: 'a:b', device: 'c', token: 't' }, false],
    [{ type: 'hello', seq: 1, tenant: 'a', device: 'c', token: 't', extra: true }, false],
    [{ type: 'reboot', seq: 1 }, false],
  ])('%j valid: %s', (message, valid) => {
    expect(deviceMessage.safeParse(message).success).toBe(valid);
  });
});
