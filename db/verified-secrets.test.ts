import { describe, expect, it } from 'vitest';
import { VerifiedSecrets } from './credentials';

describe('VerifiedSecrets', () => {
  it('knows a secret only for the stored hash it was verified against', () => {
    const verified = new VerifiedSecrets();
    verified.remember('scrypt$hash-a', 'dpl_secret');
    expect(verified.knows('scrypt$hash-a', 'dpl_secret')).toBe(true);
    expect(verified.knows('scrypt$hash-a', 'dpl_wrong')).toBe(false);
    // A new credential (a new stored hash) is verified afresh.
    expect(verified.knows('scrypt$hash-b', 'dpl_secret')).toBe(false);
  });

  it('forgets the least recently verified beyond its limit', () => {
    const verified = new VerifiedSecrets(2);
    verified.remember('h1', 's1');
    verified.remember('h2', 's2');
    verified.remember('h1', 's1'); // h1 is fresh again
    verified.remember('h3', 's3');
    expect(verified.size).toBe(2);
    expect(verified.knows('h2', 's2')).toBe(false);
    expect(verified.knows('h1', 's1')).toBe(true);
    expect(verified.knows('h3', 's3')).toBe(true);
  });
});
