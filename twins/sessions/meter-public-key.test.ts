import { describe, expect, it } from 'vitest';
import { OCMF_VECTORS as V } from '../../test/support/ocmf-vectors';
import { parseMeterPublicKey } from './meter-public-key';

describe('reading a meter public key', () => {
  it.each([
    { key: V.secp256r1.key, curve: 'secp256r1', method: 'ECDSA-secp256r1-SHA256' },
    { key: V.brainpool256r1.key, curve: 'brainpool256r1', method: 'ECDSA-brainpool256r1-SHA256' },
    { key: V.secp192r1.key, curve: 'secp192r1', method: 'ECDSA-secp192r1-SHA256' },
  ])('$curve', ({ key, curve, method }) => {
    expect(parseMeterPublicKey(key)).toEqual({
      ok: true,
      key: { hex: key, curve, signingMethod: method },
    });
  });

  it('takes lower case, spaces and colons as meters print them, and keeps upper-case hex', () => {
    const printed = V.secp256r1.key
      .toLowerCase()
      .match(/.{2}/g)!
      .join(':')
      .replace(/(.{24})/g, '$1 ');
    expect(parseMeterPublicKey(printed)).toMatchObject({ ok: true, key: { hex: V.secp256r1.key } });
  });

  it.each([
    { name: 'not hex', text: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE', reason: /hex-encoded DER/ },
    { name: 'odd digits', text: '305', reason: /hex-encoded DER/ },
    { name: 'not DER', text: '0102030405', reason: /not an EC key in DER/ },
    {
      name: 'an Ed25519 key',
      text: '302a300506032b6570032100' + '11'.repeat(32),
      reason: /not an EC key in DER/,
    },
    {
      name: 'a point off the curve',
      text: V.secp256r1.key.slice(0, -2) + (V.secp256r1.key.endsWith('C9') ? 'C8' : 'C9'),
      reason: /not a point on secp256r1/,
    },
  ])('refuses $name', ({ text, reason }) => {
    const parsed = parseMeterPublicKey(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });
});
