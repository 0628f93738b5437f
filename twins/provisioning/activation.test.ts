import { describe, expect, it } from 'vitest';
import { activationVerdict, NOTHING_OBSERVED } from './activation';
import { amendRequest } from './amend';
import { provisionRequestSchema } from './request';

const seen = (over: Partial<typeof NOTHING_OBSERVED>) => ({
  ...NOTHING_OBSERVED,
  connected: true,
  ...over,
});

describe('activation verdict', () => {
  it('needs a first connection before anything else', () => {
    expect(activationVerdict({}, NOTHING_OBSERVED)).toEqual({
      verified: false,
      missing: ['the device never connected'],
    });
    expect(activationVerdict({}, seen({}))).toEqual({ verified: true });
  });

  it('names every expectation that is not met, and accepts equal JSON in any key order', () => {
    const expect_ = {
      model: 'wb-x',
      firmware: '2.0',
      reported: { 'config.interval': 60, 'config.mode': { a: 1, b: [1, 2] } },
    };
    expect(
      activationVerdict(expect_, seen({ model: 'wb-y', reported: { 'config.interval': 30 } })),
    ).toEqual({
      verified: false,
      missing: [
        'model wb-y reported, wb-x expected',
        'firmware (none) reported, 2.0 expected',
        'config.interval is 30, 60 expected',
        'config.mode not reported, {"a":1,"b":[1,2]} expected',
      ],
    });
    expect(
      activationVerdict(
        expect_,
        seen({
          model: 'wb-x',
          firmware: '2.0',
          reported: { 'config.interval': 60, 'config.mode': { b: [1, 2], a: 1 } },
        }),
      ),
    ).toEqual({ verified: true });
  });
});

describe('provisioning requests', () => {
  it('fills defaults and refuses a claim token without the claim method', () => {
    const ok = provisionRequestSchema.parse({ serial: 'SN-1' });
    expect(ok).toMatchObject({ method: 'credentials', expect: {}, activationTimeoutS: 604_800 });
    const bad = provisionRequestSchema.safeParse({ serial: 'SN-1', claimToken: 'x'.repeat(16) });
    expect(bad.success).toBe(false);
    expect(provisionRequestSchema.safeParse({ serial: 'a/b' }).success).toBe(false);
    expect(
      provisionRequestSchema.safeParse({ serial: 'SN-1', expect: { reported: { 'a..b': 1 } } })
        .success,
    ).toBe(false);
  });

  it('lets the admission hook amend everything but the serial and identity method', () => {
    const request = provisionRequestSchema.parse({
      serial: 'SN-1',
      method: 'claim',
      tags: ['a'],
      expect: { firmware: '1' },
    });
    const amended = amendRequest(request, { tags: ['b'], model: 'm' });
    expect(amended).toMatchObject({ serial: 'SN-1', method: 'claim', tags: ['b'], model: 'm' });
    expect(amended.expect).toEqual({ firmware: '1' });
    expect(amendRequest(request, undefined)).toBe(request);
  });
});
