import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { auditInput } from './audit-input';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('auditInput', () => {
  it('keeps small arguments as they are, secrets and file contents redacted', () => {
    expect(auditInput({ input: { tenantId: 'acme', secret: 's3cr3t', content: 'a,b' } })).toEqual({
      input: { tenantId: 'acme', secret: '[redacted]', content: '[redacted]' },
    });
  });

  it('digests arguments past the limits without their secrets', () => {
    const patch = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
    const kept = auditInput({ input: { tenantId: 'acme', token: 'hunter2', patch } });
    const canonical = canonicalize({ input: { tenantId: 'acme', token: '[redacted]', patch } })!;
    expect(kept.$truncated).toEqual({
      bytes: canonical.length,
      keys: 104,
      sha256: sha256(canonical),
    });
    expect(JSON.stringify(kept)).not.toContain('hunter2');
  });

  it('records arguments nested too deep to serialise instead of failing the mutation', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const kept = auditInput({ input: { tenantId: 'acme', deep } });
    expect(Buffer.byteLength(JSON.stringify(kept))).toBeLessThanOrEqual(8 * 1024);
  });
});
