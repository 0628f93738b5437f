import { describe, expect, it } from 'vitest';
import { endSession, lateEventFlag, missingSeqNos, type SessionEnd } from './end-session';
import { SESSION_FLAGS as F } from './flags';
import { signedValues16, signedValues201 } from './signed-meter-data';

const T0 = '2026-03-01T10:00:00.000Z';
const T1 = '2026-03-01T11:00:00.000Z';
const start = { startedAt: T0, meterStartWh: 1000, idTag: 'TAG', evseId: null, connectorId: 1 };
const anEnd = (change: Partial<SessionEnd> = {}): SessionEnd => ({
  protocol: 'ocpp1.6',
  transactionId: '7',
  stoppedAt: T1,
  meterStopWh: 5500,
  stopReason: 'Local',
  idTag: null,
  receivedAt: '2026-03-01T11:00:02.000Z',
  saidOffline: false,
  missingSeqNos: [],
  ...change,
});

describe('ending a charging session', () => {
  const cases = [
    {
      name: 'a normal session: energy in kWh, counted',
      start,
      end: anEnd(),
      want: { flags: [], energyKWh: 4.5, counted: true, offline: false, idTag: 'TAG' },
    },
    {
      name: 'a stop without a start: flagged, not counted, id tag from the stop',
      start: null,
      end: anEnd({ idTag: 'STOP-TAG' }),
      want: { flags: [F.stopWithoutStart], energyKWh: null, counted: false, idTag: 'STOP-TAG' },
    },
    {
      name: 'transactionId -1: flagged invalid only, never counted',
      start: null,
      end: anEnd({ transactionId: '-1' }),
      want: { flags: [F.transactionIdInvalid], counted: false },
    },
    {
      name: 'a stop meter below the start: no energy',
      start,
      end: anEnd({ meterStopWh: 900 }),
      want: { flags: [F.meterNegative], energyKWh: null, counted: false },
    },
    {
      name: 'a 2.0.1 end without a meter value: no energy',
      start,
      end: anEnd({ protocol: 'ocpp2.0.1', meterStopWh: null }),
      want: { flags: [F.meterMissing], counted: false },
    },
    {
      name: 'a 2.0.1 end with missing events: flagged, still counted',
      start,
      end: anEnd({ protocol: 'ocpp2.0.1', missingSeqNos: [2] }),
      want: { flags: [F.seqGap], counted: true },
    },
    {
      name: 'a stop received an hour after its timestamp was replayed offline',
      start,
      end: anEnd({ receivedAt: '2026-03-01T12:00:00.000Z' }),
      want: { flags: [], offline: true, counted: true },
    },
    {
      name: 'a 2.0.1 event that said offline',
      start,
      end: anEnd({ protocol: 'ocpp2.0.1', saidOffline: true }),
      want: { offline: true },
    },
    {
      name: 'energy keeps every digit of a big register',
      start: { ...start, meterStartWh: 0 },
      end: anEnd({ meterStopWh: 123_456_789 }),
      want: { energyKWh: 123_456.789 },
    },
  ];
  it.each(cases)('$name', ({ start: s, end, want }) => {
    const decision = endSession(s, end, null);
    expect(decision.kind).toBe('record');
    expect(decision.kind === 'record' && decision.facts).toMatchObject(want);
  });

  it('a second end of a recorded session is a note, never a second record', () => {
    const recorded = { stoppedAt: '2026-03-01T11:00:00Z', meterStopWh: 5500 };
    expect(endSession(start, anEnd(), recorded)).toEqual({ kind: 'note', code: F.stopDuplicate });
    expect(endSession(null, anEnd({ meterStopWh: 6000 }), recorded)).toEqual({
      kind: 'note',
      code: F.stopConflict,
    });
  });

  it('tells a late Ended from another late event', () => {
    expect(lateEventFlag('Ended')).toBe(F.stopDuplicate);
    expect(lateEventFlag('Updated')).toBe(F.eventAfterEnd);
  });

  it.each([
    { received: [], want: [] },
    { received: [0, 1, 2], want: [] },
    { received: [2, 0, 1, 2], want: [] },
    { received: [0, 1, 4], want: [2, 3] },
    { received: [5, 7], want: [6] },
  ])('seqNos $received miss $want', ({ received, want }) => {
    expect(missingSeqNos(received)).toEqual(want);
  });
});

describe('signed meter data', () => {
  const ocmf =
    'OCMF|{"FV":"1.0","GI":"ACME","RD":[{"TM":"2026-03-01T10:00:00,000+0000 S"}]}|{"SD":"3045"}';
  it('keeps a 1.6 SignedData value byte for byte and ignores plain values', () => {
    const got = signedValues16([
      {
        timestamp: T0,
        sampledValue: [
          { value: '1000' },
          { value: ocmf, format: 'SignedData', context: 'Transaction.Begin' },
        ],
      },
    ]);
    expect(got).toEqual([
      {
        at: T0,
        context: 'Transaction.Begin',
        measurand: null,
        format: 'SignedData',
        data: ocmf,
        signingMethod: null,
        encodingMethod: null,
        publicKey: null,
      },
    ]);
  });

  it('takes a 2.0.1 signedMeterValue with its method, encoding and key', () => {
    const signed = {
      signedMeterData: ocmf,
      signingMethod: 'ECDSA-secp256r1-SHA256',
      encodingMethod: 'OCMF',
      publicKey: 'MFkw',
    };
    const got = signedValues201([
      { timestamp: T1, sampledValue: [{ context: 'Transaction.End', signedMeterValue: signed }] },
    ]);
    expect(got).toEqual([
      {
        at: T1,
        context: 'Transaction.End',
        measurand: null,
        format: null,
        data: ocmf,
        signingMethod: 'ECDSA-secp256r1-SHA256',
        encodingMethod: 'OCMF',
        publicKey: 'MFkw',
      },
    ]);
  });
});
