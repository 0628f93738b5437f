import { describe, expect, it } from 'vitest';
import { chargedKwh, chargingPeriods, sessionPoints } from './charging-periods';
import { cdrDocument, sessionDocument, type OcpiSessionFacts } from './session-document';
import { tariffCost } from './tariff-cost';

const t = (minutes: number) => new Date(Date.UTC(2026, 11, 5, 10, minutes)).toISOString();

const facts: OcpiSessionFacts = {
  party: { cpoCountryCode: 'NL', cpoPartyId: 'DOP' },
  sessionId: 42,
  via: 'start-session',
  token: {
    country_code: 'DE',
    party_id: 'EXW',
    uid: 'T1',
    type: 'APP_USER',
    contract_id: 'C1',
    valid: true,
  },
  authorizationReference: 'REF',
  locationId: 'loc-a',
  evseUid: 'bay-1',
  connectorId: '1',
  startedAt: t(0),
  stoppedAt: null,
  meterStartWh: 1000,
  meterStopWh: null,
  readings: [
    { at: t(30), wh: 4000 },
    { at: t(15), wh: 2000 },
  ],
  currency: 'EUR',
  tariff: null,
  lastUpdated: t(31),
};

describe('OCPI Sessions and CDRs from charging sessions', () => {
  it('makes charging periods from the meter readings, in time order, within the session', () => {
    const points = sessionPoints(
      { at: t(0), wh: 1000 },
      [
        { at: t(30), wh: 4000 },
        { at: t(15), wh: 2000 },
        { at: t(90), wh: 9999 },
      ],
      { at: t(60), wh: 5000 },
    );
    expect(points.map((p) => p.wh)).toEqual([1000, 2000, 4000, 5000]);
    expect(chargedKwh(points)).toBe(4);
    expect(chargingPeriods(points, 'ac').map((p) => [p.start_date_time, p.dimensions])).toEqual([
      [
        t(0),
        [
          { type: 'ENERGY', volume: 1 },
          { type: 'TIME', volume: 0.25 },
        ],
      ],
      [
        t(15),
        [
          { type: 'ENERGY', volume: 2 },
          { type: 'TIME', volume: 0.25 },
        ],
      ],
      [
        t(30),
        [
          { type: 'ENERGY', volume: 1 },
          { type: 'TIME', volume: 0.5 },
        ],
      ],
    ]);
    // Nothing read yet: one empty period (a CDR needs one).
    expect(chargingPeriods([{ at: t(0), wh: 1 }])).toHaveLength(1);
  });

  it('prices energy, time and a flat fee, rounding volumes up to step_size', () => {
    const tariff = {
      elements: [
        {
          price_components: [
            { type: 'ENERGY' as const, price: 0.4, vat: 20, step_size: 1000 },
            { type: 'TIME' as const, price: 1, vat: 20, step_size: 900 },
            { type: 'FLAT' as const, price: 0.5, vat: 20, step_size: 1 },
          ],
        },
      ],
    };
    // 2.1 kWh billed as 3 kWh; 20 minutes billed as 30.
    expect(tariffCost(tariff, 2.1, 1 / 3)).toEqual({
      energy: { excl_vat: 1.2, incl_vat: 1.44 },
      time: { excl_vat: 0.5, incl_vat: 0.6 },
      fixed: { excl_vat: 0.5, incl_vat: 0.6 },
      total: { excl_vat: 2.2, incl_vat: 2.64 },
    });
    expect(tariffCost(null, 5, 1).total).toEqual({ excl_vat: 0 });
  });

  it('spells a running session ACTIVE and a CDR with the token’s identity, signed data and verdict', () => {
    const session = sessionDocument(facts);
    expect(session).toMatchObject({
      id: '42',
      status: 'ACTIVE',
      kwh: 3,
      auth_method: 'COMMAND',
      cdr_token: { uid: 'T1', type: 'APP_USER', contract_id: 'C1' },
    });
    expect(session).not.toHaveProperty('end_date_time');
    expect(session.cdr_token).not.toHaveProperty('valid');
    const cdr = cdrDocument({
      ...facts,
      stoppedAt: t(60),
      meterStopWh: 5000,
      location: {
        name: 'Depot',
        details: { address: 'A 1', city: 'B', country: 'NLD', time_zone: 'Europe/Amsterdam' },
        evseId: null,
        connector: { standard: 'IEC_62196_T2', format: 'SOCKET', power_type: 'AC_3_PHASE' },
      },
      signedData: { encoding_method: 'OCMF', signed_values: [] },
      signatureVerdict: 'NO_KEY',
      meterId: 'M-1',
      recordedAt: t(61),
    });
    expect(cdr).toMatchObject({
      id: '42',
      session_id: '42',
      total_energy: 4,
      total_time: 1,
      total_cost: { excl_vat: 0 },
      remark: 'OCMF signatures: NO_KEY',
      meter_id: 'M-1',
      cdr_location: { id: 'loc-a', evse_uid: 'bay-1', evse_id: 'bay-1', connector_id: '1' },
      signed_data: { encoding_method: 'OCMF' },
    });
    expect(cdr.cdr_location).not.toHaveProperty('time_zone');
  });

  it('names how the session was authorised: COMMAND, AUTH_REQUEST (real time), WHITELIST', () => {
    const method = (via: string) => sessionDocument({ ...facts, via }).auth_method;
    expect(['start-session', 'authorize', 'token'].map(method)).toEqual([
      'COMMAND',
      'AUTH_REQUEST',
      'WHITELIST',
    ]);
    expect(sessionDocument({ ...facts, via: 'authorize' })).toMatchObject({
      authorization_reference: 'REF',
    });
  });
});
