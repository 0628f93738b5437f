import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/graphql';
import {
  codesOf,
  cursorNow,
  deliveredVersion,
  DEVICE_CHANGES,
  eventsOf,
  setTags,
  subscribe,
  transition,
  TRANSPORTS,
} from './support/change-subscriptions';
import { readOutboxAfter } from '../db/outbox-reader';
import { OutboxHub } from '../graphql/outbox-hub';
import { openOutboxStream } from '../graphql/schema/changes/outbox-stream';
import type { ApiContext } from '../graphql/schema';
import { registerDevice, startTestStack, uniqueTenant, type TestStack } from './support/stack';
import { TwinGraph } from './support/twin-graph';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

/** The tenant's device changes after a cursor, as PostgreSQL holds them: the truth to match. */
async function outboxAfter(tenantId: string, cursor: string, type = 'device') {
  const rows = await stack.database.sql<
    { cursor: string; id: string; version: number; kind: string }[]
  >`
    select id::text as cursor, aggregate_id as id, version::int as version, kind from outbox
    where tenant_id = ${tenantId} and aggregate_type = ${type} and outbox.id > ${cursor} order by outbox.id`;
  return rows.map((r) => ({ ...r }));
}

const brief = (e: any) => ({
  cursor: e.cursor,
  id: e.device.deviceId,
  version: e.version,
  kind: e.kind,
});

describe.each(TRANSPORTS)('deviceChanged over %s resumed from a cursor', (transport) => {
  it('delivers every change missed while disconnected exactly once, in order, then live ones', async () => {
    const t = uniqueTenant('resume');
    const api = stack.apiUrl;
    await registerDevice(stack, t, 'd1');
    await registerDevice(stack, t, 'd2');
    const start = await cursorNow(api, t, 'd1');

    const first = await subscribe(transport, api, DEVICE_CHANGES, { t, a: start });
    await setTags(api, t, 'd1', ['a']);
    await deliveredVersion(first, 'd2', await setTags(api, t, 'd2', ['a']));
    const seen = [...eventsOf(first)];
    await first.close();

    // While disconnected: changes of both devices, a lifecycle transition among them.
    await setTags(api, t, 'd1', ['b']);
    await setTags(api, t, 'd2', ['b']);
    await transition(api, t, 'd1', 'ACTIVE');
    await setTags(api, t, 'd1', ['c']);

    // Reconnect while changes keep coming: some land in the replay, some in the live feed.
    const [again] = await Promise.all([
      subscribe(transport, api, DEVICE_CHANGES, { t, a: seen.at(-1).cursor }),
      (async () => {
        for (const tag of ['d', 'e', 'f']) {
          await setTags(api, t, 'd1', [tag]);
          await setTags(api, t, 'd2', [tag]);
        }
      })(),
    ]);
    await setTags(api, t, 'd2', ['live']);
    // The last change, delivered after every earlier one: nothing else can still be under way.
    await deliveredVersion(again, 'd1', await setTags(api, t, 'd1', ['last']));

    const received = [...seen, ...eventsOf(again)].map(brief);
    expect(received).toEqual(await outboxAfter(t, start));
    for (const device of ['d1', 'd2']) {
      const versions = received.filter((e) => e.id === device).map((e) => e.version);
      expect(versions).toEqual(versions.map((_, i) => versions[0]! + i));
    }
    expect(eventsOf(again).find((e) => e.kind === 'lifecycle-changed').device.lifecycle.state).toBe(
      'ACTIVE',
    );
    expect(codesOf(again)).toEqual([]);
    await again.close();
  });

  it('refuses a cursor the retention window pruned, a malformed one and one from the future', async () => {
    const t = uniqueTenant('expired');
    const api = stack.apiUrl;
    await registerDevice(stack, t, 'd1');
    const old = await cursorNow(api, t, 'd1');
    await setTags(api, t, 'd1', ['x']);
    const pruned = await cursorNow(api, t, 'd1');
    const kept = await setTags(api, t, 'd1', ['kept']);

    // Seven days pass for this tenant's rows up to `pruned`; the worker's pruner does the rest.
    await stack.database.sql`update outbox set created_at = now() - interval '8 days'
      where tenant_id = ${t} and id <= ${pruned}`;
    const { pruneOutbox } = await import('../db/outbox-retention');
    const { DEFAULT_OUTBOX_RETENTION_MS } = await import('../workflows/outbox-retention/messages');
    await pruneOutbox(stack.database, DEFAULT_OUTBOX_RETENTION_MS);
    expect(await outboxAfter(t, '0')).toEqual([
      expect.objectContaining({ version: kept, kind: 'tags-changed' }),
    ]);

    const refused = async (after: string) => {
      const sub = await subscribe(transport, api, DEVICE_CHANGES, { t, a: after });
      const codes = await eventually(async () => (codesOf(sub).length ? codesOf(sub) : undefined));
      expect(eventsOf(sub)).toEqual([]);
      await sub.close();
      return codes;
    };
    expect(await refused(old)).toEqual(['api:subscription.cursor-expired']);
    expect(await refused('yesterday')).toEqual(['api:subscription.cursor-invalid']);
    expect(await refused('900000000000000')).toEqual(['api:subscription.cursor-invalid']);

    // The newest pruned cursor lost nothing after it: it resumes.
    const resumed = await subscribe(transport, api, DEVICE_CHANGES, { t, a: pruned });
    await deliveredVersion(resumed, 'd1', kept);
    expect(eventsOf(resumed).map((e) => e.version)).toEqual([kept]);
    await resumed.close();
  });
});

describe('the seam between replay and live feed', () => {
  it('delivers a change once when both the replay and the live feed carry it', async () => {
    const t = uniqueTenant('seam');
    const api = stack.apiUrl;
    await registerDevice(stack, t, 'd1');
    const start = await cursorNow(api, t, 'd1');
    for (const tag of ['a', 'b', 'c']) await setTags(api, t, 'd1', [tag]);
    const missed = (await readOutboxAfter(stack.database, Number(start))).filter(
      (e) => e.tenantId === t,
    );

    // The API's own feed, caught up while the replay runs: it publishes rows the replay reads.
    const hub = new OutboxHub();
    const ctx = { database: stack.database, outbox: hub } as unknown as ApiContext;
    const stream = await openOutboxStream(ctx, { tenantId: t, aggregateType: 'device' }, start);
    for (const entry of missed) hub.publish(entry);
    const take = async () => ((await stream.next()).value as { id: number }).id;
    const replayed = [await take(), await take(), await take()];

    const live = await setTags(api, t, 'd1', ['live']);
    const [liveEntry] = await eventually(async () => {
      const rows = await readOutboxAfter(stack.database, missed.at(-1)!.id);
      const mine = rows.filter((e) => e.tenantId === t && e.version === live);
      return mine.length ? mine : undefined;
    });
    hub.publish(liveEntry!);
    expect([...replayed, await take()]).toEqual([...missed.map((e) => e.id), liveEntry!.id]);
    await stream.return!();
  });
});

/**
 * Waits until what a subscription delivered equals what PostgreSQL holds (twins may still be
 * settling, e.g. an asset hearing of its device), then compares once more, so a mismatch fails.
 */
async function settlesTo(got: () => unknown[], truth: () => Promise<unknown[]>) {
  let expected: unknown[] = [];
  await eventually(async () => {
    expected = await truth();
    return JSON.stringify(got()) === JSON.stringify(expected) ? true : undefined;
  }).catch(() => {});
  expect(got()).toEqual(expected);
}

describe('filters of a resumed subscription', () => {
  it('narrows deviceChanged by site, device and kinds, and serves lifecycleChanged and assetChanged', async () => {
    const api = stack.apiUrl;
    const g = new TwinGraph(stack, uniqueTenant('filters'));
    const t = g.tenantId;
    await g.customer('c1');
    await g.site('s1', 'c1');
    await g.site('s2', 'c1');
    for (const d of ['d1', 'd2', 'd3']) await g.register(d);
    const start = await cursorNow(api, t, 'd3');
    await g.asset('a1', 's1');
    await g.asset('a2', 's2');
    expect((await g.bind('a1', 'd1')).errors).toBeUndefined();
    expect((await g.bind('a2', 'd2')).errors).toBeUndefined();
    for (const d of ['d1', 'd2', 'd3']) await setTags(api, t, d, ['tagged']);
    const activeD1 = await transition(api, t, 'd1', 'ACTIVE');
    const activeD2 = await transition(api, t, 'd2', 'ACTIVE');

    const bound = (await outboxAfter(t, start)).find((e) => e.id === 'd1' && e.kind === 'bound')!;
    const cases = [
      // d1 from its binding to a1 (in s1) on; before that it stood nowhere; d2 is in s2.
      { args: { s: 's1' }, keep: (e: any) => e.id === 'd1' && +e.cursor >= +bound.cursor },
      {
        args: { d: 'd1', k: ['lifecycle-changed', 'tags-changed'] },
        keep: (e: any) => e.id === 'd1' && ['lifecycle-changed', 'tags-changed'].includes(e.kind),
      },
      {
        args: { k: ['bound', 'tags-changed'] },
        keep: (e: any) => ['bound', 'tags-changed'].includes(e.kind),
      },
    ];
    for (const c of cases) {
      const sub = await subscribe('graphql-ws', api, DEVICE_CHANGES, { t, a: start, ...c.args });
      // Live changes after the replay; the last one passes every filter, so once it is here,
      // anything the filter should have held back would have come before it.
      await setTags(api, t, 'd3', ['live']);
      await setTags(api, t, 'd2', ['live']);
      await deliveredVersion(sub, 'd1', await setTags(api, t, 'd1', [`live-${c.keep.length}`]));
      await settlesTo(
        () => eventsOf(sub).map(brief),
        async () => (await outboxAfter(t, start)).filter(c.keep),
      );
      expect(eventsOf(sub).length).toBeGreaterThan(2);
      await sub.close();
    }

    const LIFECYCLE = `subscription ($t: ID!, $a: ID) { lifecycleChanged(tenantId: $t, after: $a) { cursor deviceId from to actor reason version device { lifecycle { state } } } }`;
    const lifecycle = await subscribe('sse', api, LIFECYCLE, { t, a: start });
    const lastD3 = await transition(api, t, 'd3', 'ACTIVE');
    await eventually(async () =>
      eventsOf(lifecycle, 'lifecycleChanged').find((e) => e.deviceId === 'd3'),
    );
    expect(eventsOf(lifecycle, 'lifecycleChanged')).toEqual([
      expect.objectContaining({
        deviceId: 'd1',
        from: 'PROVISIONED',
        to: 'ACTIVE',
        actor: 'user:test-admin',
        reason: 'test: to ACTIVE',
        version: activeD1,
        device: { lifecycle: { state: 'ACTIVE' } },
      }),
      expect.objectContaining({ deviceId: 'd2', to: 'ACTIVE', version: activeD2 }),
      expect.objectContaining({ deviceId: 'd3', to: 'ACTIVE', version: lastD3 }),
    ]);
    await lifecycle.close();

    const ASSETS = `subscription ($t: ID!, $s: ID, $a: ID) { assetChanged(tenantId: $t, siteId: $s, after: $a) { cursor kind version asset { assetId } } }`;
    const assets = await subscribe('sse', api, ASSETS, { t, s: 's1', a: start });
    await settlesTo(
      () =>
        eventsOf(assets, 'assetChanged').map((e) => ({
          cursor: e.cursor,
          id: e.asset.assetId,
          version: e.version,
          kind: e.kind,
        })),
      async () => (await outboxAfter(t, start, 'asset')).filter((r) => r.id === 'a1'),
    );
    expect(eventsOf(assets, 'assetChanged').map((e) => e.kind)).toEqual(
      expect.arrayContaining(['created', 'device-bound']),
    );
    await assets.close();

    const unknown = await subscribe('graphql-ws', api, DEVICE_CHANGES, { t, k: ['teleported'] });
    expect(await eventually(async () => codesOf(unknown)[0])).toBe('api:subscription.unknown-kind');
    await unknown.close();
  });
});
