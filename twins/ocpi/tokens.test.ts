import { describe, expect, it } from 'vitest';
import { cachedVerdict, ocpiTokenType, ocppStatus, tokenObject, ALLOWED_TYPES } from './tokens';

describe('OCPI tokens in OCPP terms', () => {
  it('maps every AllowedType to each version’s authorisation status', () => {
    const table = ALLOWED_TYPES.map((a) => [
      a,
      ocppStatus('ocpp1.6', a),
      ocppStatus('ocpp2.0.1', a),
    ]);
    expect(table).toEqual([
      ['ALLOWED', 'Accepted', 'Accepted'],
      ['BLOCKED', 'Blocked', 'Blocked'],
      ['EXPIRED', 'Expired', 'Expired'],
      ['NO_CREDIT', 'Invalid', 'NoCredit'],
      ['NOT_ALLOWED', 'Invalid', 'NotAtThisLocation'],
    ]);
  });

  it('answers a cached token by its whitelist, and refuses one no longer valid whatever it says', () => {
    const verdicts = (['ALWAYS', 'ALLOWED', 'ALLOWED_OFFLINE', 'NEVER'] as const).map(
      (whitelist) => [
        cachedVerdict({ valid: true, whitelist }),
        cachedVerdict({ valid: false, whitelist }),
      ],
    );
    expect(verdicts).toEqual([
      ['accept', 'blocked'],
      ['accept', 'blocked'],
      ['ask-then-accept', 'blocked'],
      ['ask', 'blocked'],
    ]);
  });

  it('asks about 2.0.1 Central tokens as app users and everything else as cards', () => {
    expect([undefined, 'ISO14443', 'eMAID', 'Central'].map(ocpiTokenType)).toEqual([
      'RFID',
      'RFID',
      'RFID',
      'APP_USER',
    ]);
  });

  it('checks a Token object with OCPI’s limits and keeps fields it does not know', () => {
    const token = {
      country_code: 'DE',
      party_id: 'EXW',
      uid: 'CARD-1',
      type: 'RFID',
      contract_id: 'DE-EXW-1',
      issuer: 'Extrawest',
      valid: true,
      whitelist: 'ALWAYS',
      last_updated: '2026-12-05T10:00:00Z',
      future_field: 1,
    };
    expect(tokenObject.parse(token)).toEqual(token);
    const bad = tokenObject.safeParse({ ...token, uid: 'x'.repeat(37), last_updated: 'soon' });
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['uid', 'last_updated']);
  });
});
