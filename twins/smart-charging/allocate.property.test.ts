import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRejection } from '../errors';
import { allocate, type Allocation, type AllocationInput } from './allocate';
import type { ChargingSessionLoad, LoadPolicy } from './load-policy';
import { STEPS_PER_UNIT } from './site-limit';

const amount = (max: number) => fc.integer({ min: 0, max }).map((n) => n / 10);
const session = (n: number) =>
  fc.record(
    {
      sessionId: fc.constant(`s${n}`),
      stationId: fc.constantFrom('cs1', 'cs2', 'cs3'),
      connectorId: fc.integer({ min: 1, max: 2 }),
      token: fc.constantFrom('t1', 't2', 't3', null),
      startedAt: fc
        .integer({ min: 0, max: 3600 })
        .map((s) => new Date(Date.UTC(2026, 11, 5, 10) + s * 1000).toISOString()),
      priority: fc.integer({ min: 0, max: 3 }),
      minimum: amount(150_000),
      maximum: amount(500_000),
      held: amount(80_000),
    },
    { requiredKeys: ['sessionId', 'stationId', 'connectorId', 'startedAt'] },
  );
const sessions = fc
  .integer({ min: 0, max: 12 })
  .chain((count) => fc.tuple(...Array.from({ length: count }, (_, n) => session(n))));
const idle = fc.uniqueArray(
  fc.record(
    {
      stationId: fc.constantFrom('cs1', 'cs2', 'cs3', 'cs4'),
      count: fc.integer({ min: 0, max: 4 }),
      held: amount(30_000),
    },
    { requiredKeys: ['stationId', 'count'] },
  ),
  { selector: (i) => i.stationId, maxLength: 4 },
);
const site: fc.Arbitrary<AllocationInput> = fc.record({
  limit: fc.oneof(
    fc.record({ unit: fc.constant('W' as const), value: fc.integer({ min: 0, max: 200_000 }) }),
    fc.record({
      unit: fc.constant('A' as const),
      value: amount(4000),
      phases: fc.constantFrom(1 as const, 3 as const),
    }),
  ),
  policy: fc.record(
    {
      kind: fc.constantFrom('equal-share' as const, 'priority' as const),
      minimumPerSession: amount(80_000),
      priorities: fc.record({
        tokens: fc.dictionary(fc.constantFrom('t1', 't2'), fc.integer({ min: 0, max: 5 })),
        connectors: fc.dictionary(
          fc.constantFrom('cs1/1', 'cs2/2'),
          fc.integer({ min: 0, max: 5 }),
        ),
      }),
    },
    { requiredKeys: ['kind'] },
  ) as fc.Arbitrary<LoadPolicy>,
  sessions: sessions as fc.Arbitrary<ChargingSessionLoad[]>,
  idle,
});

const run = (input: AllocationInput): Allocation => {
  const result = allocate(input);
  if (isRejection(result)) throw new Error(result.message);
  return result;
};
const steps = (input: AllocationInput, value: number) =>
  Math.round(value * STEPS_PER_UNIT[input.limit.unit]);
/** What a session needs and may take, in steps, as allocate reads it. */
const bounds = (input: AllocationInput, s: ChargingSessionLoad) => {
  const k = STEPS_PER_UNIT[input.limit.unit];
  const max = s.maximum === undefined ? Infinity : Math.floor(s.maximum * k + 1e-9);
  const min = Math.ceil((s.minimum ?? input.policy.minimumPerSession ?? 0) * k - 1e-9);
  return { min: Math.min(min, max), max };
};
/** What offline stations hold: their sessions' shares and their idle connectors' defaults. */
const heldOf = (input: AllocationInput, a: Allocation) =>
  a.sessions.filter((s) => s.held).reduce((n, s) => n + steps(input, s.limit), 0) +
  (input.idle ?? [])
    .filter((i) => i.held !== undefined)
    .reduce((n, i) => n + steps(input, i.held!) * i.count, 0);
const onlineIdle = (input: AllocationInput) =>
  (input.idle ?? []).filter((i) => i.held === undefined).reduce((n, i) => n + i.count, 0);
const free = (input: AllocationInput, a: Allocation) =>
  a.sessions
    .map((share, i) => ({ share, session: input.sessions[i]! }))
    .filter(({ share }) => !share.held);

describe('site load allocation, over random sites', () => {
  it('never gives more than the limit, counting the default of every idle connector, beyond what offline stations already hold', () => {
    fc.assert(
      fc.property(site, (input) => {
        const a = run(input);
        const held = heldOf(input, a);
        const given = free(input, a).reduce((n, { share }) => n + steps(input, share.limit), 0);
        // A session may start on any idle connector of an online station before its TxProfile
        // arrives and draw the start limit: those count as drawn already.
        const starting = steps(input, a.startLimit) * onlineIdle(input);
        const limit = steps(input, a.siteLimit);
        expect(limit).toBeLessThanOrEqual(steps(input, input.limit.value) + 0);
        expect(given + starting).toBeLessThanOrEqual(Math.max(0, limit - held));
        expect(steps(input, a.allocated)).toBe(given + starting + held);
        if (held <= limit) expect(steps(input, a.allocated)).toBeLessThanOrEqual(limit);
      }),
      { numRuns: 2000 },
    );
  });

  it('starts idle connectors at the minimum per session only when it is safe, and whenever everyone fits', () => {
    fc.assert(
      fc.property(site, (input) => {
        const a = run(input);
        const minimum = Math.max(
          0,
          bounds(input, { minimum: input.policy.minimumPerSession } as never).min,
        );
        const start = steps(input, a.startLimit);
        const charging = free(input, a);
        const room = Math.max(0, steps(input, a.siteLimit) - heldOf(input, a));
        expect([0, minimum]).toContain(start);
        if (start > 0) {
          // A session that stops and one that starts in its place on the default draw no more.
          for (const { share } of charging)
            expect(steps(input, share.limit)).toBeGreaterThanOrEqual(start);
          expect(charging.length * start + onlineIdle(input) * start).toBeLessThanOrEqual(room);
        }
        const needs = charging.map(({ session }) => bounds(input, session).min);
        const fits =
          needs.every((n) => n >= minimum) &&
          needs.reduce((n, m) => n + m, 0) + minimum * onlineIdle(input) <= room;
        if (fits) expect(start).toBe(minimum);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps the start limit when a session starts on an idle connector, and admits it', () => {
    fc.assert(
      fc.property(site, fc.nat(), (input, pick) => {
        const a = run(input);
        const ready = (input.idle ?? []).filter((i) => i.held === undefined && i.count > 0);
        fc.pre(a.startLimit > 0 && ready.length > 0 && a.sessions.every((s) => !s.waiting));
        const station = ready[pick % ready.length]!;
        const newcomer: ChargingSessionLoad = {
          sessionId: 'new',
          stationId: station.stationId,
          connectorId: 9,
          startedAt: new Date(Date.UTC(2026, 11, 5, 12)).toISOString(),
        };
        const after = run({
          ...input,
          sessions: [...input.sessions, newcomer],
          idle: input.idle!.map((i) => (i === station ? { ...i, count: i.count - 1 } : i)),
        });
        expect(after.startLimit).toBe(a.startLimit);
        expect(after.sessions.filter((s) => s.waiting)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('gives every charging session its minimum, within its maximum, and waits with 0', () => {
    fc.assert(
      fc.property(site, (input) => {
        for (const { share, session } of free(input, run(input))) {
          const { min, max } = bounds(input, session);
          const got = steps(input, share.limit);
          if (share.waiting) expect(got).toBe(0);
          else {
            expect(got).toBeGreaterThanOrEqual(min);
            expect(got).toBeLessThanOrEqual(max);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('lets everyone charge when all minimums fit', () => {
    fc.assert(
      fc.property(site, (input) => {
        const a = run(input);
        const held = heldOf(input, a);
        const needs = free(input, a).reduce((n, { session }) => n + bounds(input, session).min, 0);
        if (needs + held <= steps(input, a.siteLimit))
          expect(a.sessions.filter((s) => s.waiting)).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('under equal share, a session below another is at its maximum or one step behind at most', () => {
    fc.assert(
      fc.property(site, (input) => {
        fc.pre(input.policy.kind === 'equal-share');
        const charging = free(input, run(input)).filter(({ share }) => !share.waiting);
        for (const low of charging)
          for (const high of charging) {
            const [l, h] = [steps(input, low.share.limit), steps(input, high.share.limit)];
            const { max } = bounds(input, low.session);
            // high may sit above the level only because its own minimum lifted it.
            const lifted = h === bounds(input, high.session).min;
            if (h > l + 1) expect(l === max || lifted).toBe(true);
          }
      }),
      { numRuns: 2000 },
    );
  });

  it('admits in order: nobody waits while someone ranked after them charges', () => {
    fc.assert(
      fc.property(site, (input) => {
        const shares = free(input, run(input)).map(({ share, session }) => ({ share, session }));
        const rank = (x: (typeof shares)[number]) => [
          -x.share.priority,
          x.session.startedAt,
          x.session.sessionId,
        ];
        const before = (a: (typeof shares)[number], b: (typeof shares)[number]) => {
          const [ra, rb] = [rank(a), rank(b)];
          for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! < rb[i]!;
          return false;
        };
        for (const waiting of shares.filter((s) => s.share.waiting))
          for (const charging of shares.filter((s) => !s.share.waiting))
            expect(before(waiting, charging)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('under priority, a lower priority gets more than its minimum only when higher ones are full', () => {
    fc.assert(
      fc.property(site, (input) => {
        fc.pre(input.policy.kind === 'priority');
        const charging = free(input, run(input)).filter(({ share }) => !share.waiting);
        for (const low of charging)
          for (const high of charging) {
            if (high.share.priority <= low.share.priority) continue;
            if (steps(input, low.share.limit) > bounds(input, low.session).min)
              expect(steps(input, high.share.limit)).toBe(bounds(input, high.session).max);
          }
      }),
      { numRuns: 2000 },
    );
  });
});
