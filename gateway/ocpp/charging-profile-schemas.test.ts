import { describe, expect, it } from 'vitest';
import { txProfileRequest, type ProfileLimit } from '../../twins/smart-charging';
import { officialSchemas } from './official-schemas';

/** The load manager's TxProfiles, checked against the official schemas of both versions. */
describe.each(['ocpp1.6', 'ocpp2.0.1'] as const)('a TxProfile for %s', (protocol) => {
  const target = {
    protocol,
    connectorId: 2,
    transactionId: protocol === 'ocpp1.6' ? '42' : 'tx-9',
  };
  it.each<ProfileLimit>([
    { limit: 7333, unit: 'W' },
    { limit: 10.7, unit: 'A', phases: 3 },
    { limit: 16, unit: 'A', phases: 1 },
    { limit: 0, unit: 'W' },
  ])('is a valid SetChargingProfile at %j', (limit) => {
    expect(() =>
      officialSchemas[protocol].check(
        'SetChargingProfile',
        'request',
        txProfileRequest(target, limit),
      ),
    ).not.toThrow();
  });

  it('names the transaction as the version spells it, on its connector or EVSE', () => {
    const request = txProfileRequest(target, { limit: 11000, unit: 'W' }) as Record<string, any>;
    if (protocol === 'ocpp1.6')
      expect(request).toMatchObject({
        connectorId: 2,
        csChargingProfiles: { chargingProfileId: 7002, transactionId: 42, stackLevel: 1 },
      });
    else
      expect(request).toMatchObject({
        evseId: 2,
        chargingProfile: { id: 7002, transactionId: 'tx-9', stackLevel: 1 },
      });
  });
});
