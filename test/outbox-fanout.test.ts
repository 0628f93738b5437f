import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { sql as dsql } from 'drizzle-orm';
import { appendToOutbox } from '../db/outbox-writer';
import { readOutboxAfter, latestOutboxId } from '../db/outbox-reader';
import { OUTBOX_RETENTION_ID } from '../workflows/outbox-retention/messages';
import { startApiProcess } from './support/api-process';
import {
  DEVICE_CHANGES,
  eventsOf,
  setTags,
  subscribe,
  transition,
} from './support/change-subscriptions';
import { eventually } from './support/graphql';
import { registerDevice, startTestStack, uniqueTenant, type TestStack } from './support/stack';

let stack: TestStack;
let second: Awaited<ReturnType<typeof startApiProcess>>;
beforeAll(async () => {
  stack = await startTestStack();
  second = await startApiProcess({
    temporalAddress: inject('temporalAddress'),
    databaseUrl: inject('databaseUrl'),
  });
});
afterAll(async () => {
  await second?.stop();
  await stack?.stop();
});

describe('two API processes side by side', () => {
  it('each delivers every change, made through either of them, to its own subscribers', async () => {
    const t = uniqueTenant('fanout');
    const [a, b] = [stack.apiUrl, second.apiUrl];
    await registerDevice(stack, t, 'd1');
    // Live subscriptions (no after: nothing replayed, every event comes through a feed).
    const subs = [
      await subscribe('graphql-ws', a, DEVICE_CHANGES, { t }),
      await subscribe('sse', b, DEVICE_CHANGES, { t }),
      await subscribe('graphql-ws', b, DEVICE_CHANGES, { t }),
    ];
    let n = 0;
    let probe = 0;
    await eventually(async () => {
      probe = await setTags(a, t, 'd1', [`probe-${n++}`]);
      return subs.every((s) => eventsOf(s).length > 0) ? true : undefined;
    });

    const versions = [
      await setTags(b, t, 'd1', ['via-b']),
      await transition(b, t, 'd1', 'ACTIVE'),
      await setTags(a, t, 'd1', ['via-a']),
      await transition(a, t, 'd1', 'MAINTENANCE'),
    ];
    for (const sub of subs) {
      await eventually(async () =>
        eventsOf(sub).find((e) => e.version === versions.at(-1)) ? true : undefined,
      );
      const after = eventsOf(sub)
        .filter((e) => e.version > probe)
        .map((e) => [e.version, e.kind, e.device.lifecycle.state]);
      expect(after).toEqual([
        [versions[0], 'tags-changed', 'PROVISIONED'],
        [versions[1], 'lifecycle-changed', 'ACTIVE'],
        [versions[2], 'tags-changed', 'ACTIVE'],
        [versions[3], 'lifecycle-changed', 'MAINTENANCE'],
      ]);
    }
    await Promise.all(subs.map((s) => s.close()));
  });
});

describe('the outbox a feed follows', () => {
  it('never shows a row committed after a later one: a late commit holds back those after it', async () => {
    const t = uniqueTenant('order');
    const before = await latestOutboxId(stack.database);
    const change = (version: number) => [
      { event: { type: 'reported', at: new Date().toISOString() }, state: { version } },
    ];
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const pids: number[] = [];
    const pidOf = async (tx: { execute: (q: any) => Promise<any> }) => {
      const [row] = await tx.execute(dsql`select pg_backend_pid() as pid`);
      pids.push(row.pid as number);
    };
    const orderLock = (pid: number, granted: boolean) => async () => {
      const [row] = await stack.database.sql<{ n: number }[]>`
        select count(*)::int as n from pg_locks
        where locktype = 'advisory' and pid = ${pid} and granted = ${granted}`;
      return row!.n > 0 ? true : undefined;
    };

    // A's transaction writes its row and stays open; B's starts after it.
    const first = stack.database.db.transaction(async (tx) => {
      await pidOf(tx);
      await appendToOutbox(tx, { type: 'device', tenantId: t, id: 'late' }, change(1));
      await held;
    });
    await eventually(async () => (pids[0] ? orderLock(pids[0], true)() : undefined));
    const next = stack.database.db.transaction(async (tx) => {
      await pidOf(tx);
      await appendToOutbox(tx, { type: 'device', tenantId: t, id: 'early' }, change(1));
    });
    // B waits for A: a reader now sees neither, so its cursor cannot pass A's row.
    await eventually(async () => (pids[1] ? orderLock(pids[1], false)() : undefined));
    const mine = async () =>
      (await readOutboxAfter(stack.database, before, 10_000)).filter((e) => e.tenantId === t);
    expect(await mine()).toEqual([]);

    release();
    await Promise.all([first, next]);
    expect((await mine()).map((e) => e.aggregateId)).toEqual(['late', 'early']);
  });

  it('is written by one function only, the one that takes the order lock', () => {
    const sources = ['db', 'workflows', 'gateway', 'graphql'].flatMap((dir) =>
      readdirSync(new URL(`../${dir}`, import.meta.url), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => `${dir}/${f}`),
    );
    const writers = sources.filter((f) =>
      /\.insert\(outbox\)|insert\s+into\s+"?outbox"?\s/i.test(
        readFileSync(new URL(`../${f}`, import.meta.url), 'utf8'),
      ),
    );
    expect(writers).toEqual(['db/outbox-writer.ts']);
  });

  it('is pruned by the retention workflow the workers run', async () => {
    const handle = stack.temporal.workflow.getHandle(OUTBOX_RETENTION_ID);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await eventually(async () => {
      const { events } = await handle.fetchHistory();
      const completed = events?.some((e) => e.activityTaskCompletedEventAttributes);
      return completed ? true : undefined;
    });
  });
});
