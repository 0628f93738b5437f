import { describe, expect, it } from 'vitest';
import { isRejection } from '../errors';
import { allocate, type Allocation, type AllocationInput } from './allocate';
import { LIMIT_INVALID, POLICY_INVALID, SESSION_INVALID } from './codes';
import { profileChanges } from './profile-changes';
import { aSession } from './test-builders';

const W22 = { unit: 'W', value: 22000 } as const;
const shares = (input: AllocationInput) => {
  const result = allocate(input);
  if (isRejection(result)) throw new Error(result.message);
  return result;
};
const limits = (a: Allocation) => Object.fromEntries(a.sessions.map((s) => [s.sessionId, s.limit]));

describe('site load allocation', () => {
  it('shares 22 kW equally among three sessions, the spare watt to who started first', () => {
    const a = shares({
      limit: W22,
      policy: { kind: 'equal-share' },
      sessions: [aSession(1), aSession(2), aSession(3)],
    });
    expect(limits(a)).toEqual({ s1: 7334, s2: 7333, s3: 7333 });
    expect(a.allocated).toBe(22000);
  });

  it('caps a session at its maximum and gives the rest to the others', () => {
    const a = shares({
      limit: W22,
      policy: { kind: 'equal-share' },
      sessions: [aSession(1, { maximum: 3700 }), aSession(2), aSession(3)],
    });
    expect(limits(a)).toEqual({ s1: 3700, s2: 9150, s3: 9150 });
  });

  it('lifts a session to its minimum, the others share what is left', () => {
    const a = shares({
      limit: W22,
      policy: { kind: 'equal-share', minimumPerSession: 4140 },
      sessions: [aSession(1, { minimum: 11000 }), aSession(2), aSession(3)],
    });
    expect(limits(a)).toEqual({ s1: 11000, s2: 5500, s3: 5500 });
  });

  it('makes the latest sessions wait when the limit cannot give everyone a minimum', () => {
    const a = shares({
      limit: W22,
      policy: { kind: 'equal-share', minimumPerSession: 6900 },
      sessions: [aSession(4), aSession(2), aSession(1), aSession(3)],
    });
    expect(limits(a)).toEqual({ s4: 0, s2: 7333, s1: 7334, s3: 7333 });
    expect(a.sessions.find((s) => s.sessionId === 's4')).toMatchObject({ waiting: true });
  });

  it('lets a priority token in ahead of earlier sessions when minimums do not fit', () => {
    const a = shares({
      limit: W22,
      policy: { kind: 'equal-share', minimumPerSession: 6900, priorities: { tokens: { tok4: 5 } } },
      sessions: [aSession(1), aSession(2), aSession(3), aSession(4)],
    });
    expect(a.sessions.filter((s) => s.waiting).map((s) => s.sessionId)).toEqual(['s3']);
  });

  it('never lets a later session charge while an earlier one waits, even if it would fit', () => {
    const a = shares({
      limit: { unit: 'A', value: 32, phases: 3 },
      policy: { kind: 'priority' },
      sessions: [
        aSession(1, { minimum: 20 }),
        aSession(2, { minimum: 16 }),
        aSession(3, { minimum: 6 }),
      ],
    });
    expect(limits(a)).toEqual({ s1: 32, s2: 0, s3: 0 });
  });

  it('under a priority policy fills the highest priority first, after everyone’s minimum', () => {
    const a = shares({
      limit: { unit: 'A', value: 32, phases: 3 },
      policy: {
        kind: 'priority',
        minimumPerSession: 6,
        priorities: { connectors: { 'cs1/2': 2 } },
      },
      sessions: [aSession(1), aSession(2, { maximum: 16 }), aSession(3)],
    });
    expect(limits(a)).toEqual({ s1: 8, s2: 16, s3: 8 });
  });

  it('counts shares held for offline stations first and leaves them as they are', () => {
    const a = shares({
      limit: W22,
      policy: { kind: 'equal-share' },
      sessions: [aSession(1, { held: 11000 }), aSession(2), aSession(3)],
    });
    expect(limits(a)).toEqual({ s1: 11000, s2: 5500, s3: 5500 });
    const lowered = shares({
      limit: { unit: 'W', value: 10000 },
      policy: { kind: 'equal-share' },
      sessions: [aSession(1, { held: 11000 }), aSession(2)],
    });
    expect(limits(lowered)).toEqual({ s1: 11000, s2: 0 });
  });

  it('rounds amperes down to a tenth so the sum stays under the limit', () => {
    const a = shares({
      limit: { unit: 'A', value: 32, phases: 3 },
      policy: { kind: 'equal-share' },
      sessions: [aSession(1), aSession(2), aSession(3)],
    });
    expect(limits(a)).toEqual({ s1: 10.7, s2: 10.7, s3: 10.6 });
  });

  it('gives nothing when the limit is 0 and everything when one session is alone', () => {
    expect(
      limits(
        shares({
          limit: { unit: 'W', value: 0 },
          policy: { kind: 'equal-share' },
          sessions: [aSession(1)],
        }),
      ),
    ).toEqual({ s1: 0 });
    expect(
      limits(shares({ limit: W22, policy: { kind: 'equal-share' }, sessions: [aSession(1)] })),
    ).toEqual({ s1: 22000 });
  });

  it('keeps the minimum for every idle connector, so a session starting on its default fits', () => {
    const a = shares({
      limit: W22,
      policy: { kind: 'equal-share', minimumPerSession: 4000 },
      sessions: [aSession(1)],
      idle: [{ stationId: 'cs2', count: 2 }],
    });
    expect(a).toMatchObject({ startLimit: 4000, reserved: 8000, allocated: 22000 });
    expect(limits(a)).toEqual({ s1: 14000 });
  });

  it('starts idle connectors at 0 when the limit cannot give each the minimum', () => {
    const a = shares({
      limit: W22,
      policy: { kind: 'equal-share', minimumPerSession: 6000 },
      sessions: [aSession(1), aSession(2)],
      idle: [
        { stationId: 'cs2', count: 1 },
        { stationId: 'cs3', count: 1 },
      ],
    });
    expect(a).toMatchObject({ startLimit: 0, reserved: 0 });
    expect(limits(a)).toEqual({ s1: 11000, s2: 11000 });
  });

  it('starts idle connectors at 0 while a charging session has less than the minimum', () => {
    const a = shares({
      limit: W22,
      policy: { kind: 'equal-share', minimumPerSession: 4000 },
      sessions: [aSession(1, { maximum: 2000 })],
      idle: [{ stationId: 'cs2', count: 1 }],
    });
    expect(a.startLimit).toBe(0);
  });

  it('counts an offline station’s idle connectors at the default it last heard', () => {
    const a = shares({
      limit: W22,
      policy: { kind: 'equal-share', minimumPerSession: 4000 },
      sessions: [aSession(1)],
      idle: [{ stationId: 'cs2', count: 2, held: 3000 }],
    });
    expect(a).toMatchObject({ startLimit: 4000, reserved: 6000 });
    expect(limits(a)).toEqual({ s1: 16000 });
  });

  it.each([
    [{ idle: [{ stationId: 'cs2', count: 1.5 }] }, SESSION_INVALID],
    [
      {
        idle: [
          { stationId: 'cs2', count: 1 },
          { stationId: 'cs2', count: 1 },
        ],
      },
      SESSION_INVALID,
    ],
    [{ limit: { unit: 'W', value: -1 } }, LIMIT_INVALID],
    [{ limit: { unit: 'kW', value: 22 } }, LIMIT_INVALID],
    [{ limit: { unit: 'A', value: 32, phases: 2 } }, LIMIT_INVALID],
    [{ policy: { kind: 'fair' } }, POLICY_INVALID],
    [{ policy: { kind: 'equal-share', minimumPerSession: -6 } }, POLICY_INVALID],
    [{ sessions: [aSession(1), aSession(1)] }, SESSION_INVALID],
    [{ sessions: [aSession(1, { minimum: Number.NaN })] }, SESSION_INVALID],
  ])('refuses %j with %s', (over, code) => {
    const input = { limit: W22, policy: { kind: 'equal-share' }, sessions: [], ...over };
    expect(allocate(input as AllocationInput)).toMatchObject({ rejected: true, code });
  });
});

describe('profile changes', () => {
  it('lowers first, then raises and sets new sessions, and leaves held and unchanged ones', () => {
    const next = shares({
      limit: W22,
      policy: { kind: 'equal-share' },
      sessions: [aSession(1), aSession(2), aSession(3), aSession(4, { held: 3000 })],
    }).sessions;
    const previous = new Map([
      ['s1', 9500],
      ['s2', 3000],
      ['s3', 6333],
    ]);
    const changes = profileChanges(previous, next);
    expect(changes.lower).toEqual([
      { sessionId: 's1', stationId: 'cs1', connectorId: 1, from: 9500, to: 6334 },
    ]);
    expect(changes.raise.map((c) => [c.sessionId, c.to])).toEqual([['s2', 6333]]);
  });
});
