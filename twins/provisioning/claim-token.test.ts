import { describe, expect, it } from 'vitest';
import { claimTokenWeakness } from './claim-token';
import { provisionRequestSchema } from './request';

describe('operator-chosen claim tokens', () => {
  it.each([
    ['generated shape', 'clm_u8Zp3QkR0bT6wXy1Vn4sLm2A', null],
    ['22 random base64url characters', 'Zk3-q_9Lr0TbWx7Yc2Vn4s', null],
    ['16 characters, accepted before', 'x1y2z3w4v5u6t7s8', /at least 22 characters \(16 given\)/],
    ['21 characters', 'Zk3-q_9Lr0TbWx7Yc2Vn4', /at least 22 characters \(21 given\)/],
    ['long but one character', 'a'.repeat(40), /different characters/],
    ['long but a short cycle', '0123456'.repeat(5), /different characters/],
    ['outside the alphabet', 'Zk3-q_9Lr0TbWx7Yc2Vn4s!', /base64url/],
    ['spaces', 'correct horse battery staple', /base64url/],
  ])('%s', (_, token, expected) => {
    const weakness = claimTokenWeakness(token);
    if (expected === null) expect(weakness).toBeNull();
    else expect(weakness).toMatch(expected);
  });

  it('refuses a weak token in a provisioning request, with the code that names it', () => {
    const parsed = provisionRequestSchema.safeParse({
      serial: 'SN-1',
      method: 'claim',
      claimToken: 'printed-on-box-01',
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({
      path: ['claimToken'],
      params: { code: 'provisioning:claim-token.weak' },
    });
  });
});
