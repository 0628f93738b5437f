import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deviceMessage } from './messages';

/**
 * docs/device-protocol.md against the code: every message either side can send and every
 * refusal code a device on /device can meet is documented (a code added to the gateway
 * without a line in the doc fails here).
 */
const doc = readFileSync(new URL('../../docs/device-protocol.md', import.meta.url), 'utf8');
const source = (file: string) => readFileSync(new URL(file, import.meta.url), 'utf8');

/** The sources whose codes reach a JSON device: its endpoint and what the endpoint uses. */
const SOURCES = [
  './device-endpoint.ts',
  './parse-device-message.ts',
  './messages.ts',
  '../message-limits.ts',
  '../source-address.ts',
  '../device-links.ts',
];

describe('docs/device-protocol.md', () => {
  it('names every message a device may send and every message the gateway sends', () => {
    const fromDevice = deviceMessage.options.map((o) => o.shape.type.value);
    expect(fromDevice).toContain('command-result');
    for (const type of fromDevice) expect(doc, type).toContain(`\`${type}\``);
    const fromGateway = [...source('./messages.ts').matchAll(/\{\s*type: '([a-z-]+)'/g)].map(
      (m) => m[1]!,
    );
    expect(fromGateway).toEqual(
      expect.arrayContaining(['welcome', 'ack', 'desired', 'command', 'error']),
    );
    for (const type of fromGateway) expect(doc, type).toContain(`"type":"${type}"`);
  });

  it('names every refusal code a device on /device can meet', () => {
    const codes = new Set(
      SOURCES.flatMap((f) =>
        [...source(f).matchAll(/'((?:gateway|provisioning):[a-z]+\.[a-z0-9-]+)'/g)].map(
          (m) => m[1]!,
        ),
      ),
    );
    expect(codes.size).toBeGreaterThan(15);
    const missing = [...codes].filter((c) => !doc.includes(`\`${c}\``));
    expect(missing).toEqual([]);
  });
});
