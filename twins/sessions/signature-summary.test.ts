import { describe, expect, it } from 'vitest';
import type { MeterSignatureCheck, MeterSignatureVerdict } from './meter-signature';
import { paginationIssues } from './pagination';
import { signatureSummary } from './signature-summary';
import type { SignedMeterValue } from './signed-meter-data';

const checked = (
  pagination: string | null,
  verdict: MeterSignatureVerdict = 'VALID',
  meterSerial: string | null = 'M1',
  data = `OCMF|{"PG":"${pagination}"}|{"SD":"00"}`,
): SignedMeterValue => ({
  at: '2026-03-01T10:00:00.000Z',
  context: null,
  measurand: null,
  format: 'SignedData',
  data,
  signingMethod: null,
  encodingMethod: null,
  publicKey: null,
  verification: {
    verdict,
    reason: '',
    signingMethod: null,
    meterSerial,
    pagination,
    publicKey: null,
  } satisfies MeterSignatureCheck,
});

describe("a meter's pagination across a session", () => {
  it.each([
    { name: 'consecutive', values: [checked('T1'), checked('T2'), checked('T3')], want: [] },
    { name: 'out of order but complete', values: [checked('T2'), checked('T1')], want: [] },
    {
      name: 'the same data set twice (a retried message) is no repeat',
      values: [checked('T1'), checked('T1'), checked('T2')],
      want: [],
    },
    {
      name: 'a skipped number',
      values: [checked('T1'), checked('T4')],
      want: [{ meterSerial: 'M1', series: 'T', missing: [2, 3], repeated: [] }],
    },
    {
      name: 'a number used for two different data sets',
      values: [checked('T5'), checked('T5', 'VALID', 'M1', 'OCMF|{"PG":"T5","RV":2}|{"SD":"00"}')],
      want: [{ meterSerial: 'M1', series: 'T', missing: [], repeated: [5] }],
    },
    {
      name: 'T and F counters, and two meters, are separate series',
      values: [
        checked('T1'),
        checked('F7'),
        checked('T2'),
        checked('F8'),
        checked('T9', 'VALID', 'M2'),
      ],
      want: [],
    },
    {
      name: 'values without a readable counter are left out',
      values: [checked('T1'), checked(null), checked('page-2'), checked('T2')],
      want: [],
    },
    {
      name: 'a counter that jumps by millions lists the first 100 missing',
      values: [checked('F1'), checked('F9000000')],
      want: [
        expect.objectContaining({
          series: 'F',
          missing: Array.from({ length: 100 }, (_, i) => i + 2),
        }),
      ],
    },
  ])('$name', ({ values, want }) => {
    expect(paginationIssues(values)).toEqual(want);
  });
});

describe("a session's signature summary", () => {
  it.each([
    { values: [], want: { verdict: null, flags: [] } },
    { values: [checked('T1'), checked('T2')], want: { verdict: 'VALID', flags: [] } },
    {
      values: [checked('T1'), checked('T2', 'INVALID')],
      want: { verdict: 'INVALID', flags: ['session:signature.invalid'] },
    },
    {
      values: [checked('T1', 'NO_KEY'), checked('T2', 'UNSUPPORTED')],
      want: { verdict: 'NO_KEY', flags: [] },
    },
    {
      values: [checked('T1', 'UNSUPPORTED'), checked('T2')],
      want: { verdict: 'UNSUPPORTED', flags: [] },
    },
    {
      values: [checked('T1'), checked('T3'), checked('T3', 'VALID', 'M1', 'OCMF|x|y')],
      want: { verdict: 'VALID', flags: ['session:pagination.gap', 'session:pagination.repeat'] },
    },
  ])('$want.verdict $want.flags', ({ values, want }) => {
    expect(signatureSummary(values)).toEqual(want);
  });
});
