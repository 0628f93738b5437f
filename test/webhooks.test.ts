import { createEgress } from '../outbound/egress';
import { TEST_ALLOWED_NETWORKS } from './support/egress';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApi, type RunningApi } from '../graphql/start-api';
import { createDatabase } from '../db/client';
import pino from 'pino';
import { TEST_AUTH } from './support/auth';
import { eventually, graphql } from './support/graphql';
import { registerDevice, startTestStack, uniqueTenant, type TestStack } from './support/stack';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver';
import { startWorkerProcess } from './support/worker-process';

/** Partner webhooks through the real API, Temporal, PostgreSQL and a real HTTP receiver. */
let stack: TestStack;
const receivers: WebhookReceiver[] = [];
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  for (const r of receivers) await r.stop();
  await stack?.stop();
});

const FIELDS = `id url enabled maxAttempts filter { kinds deviceIds assetIds } deliveredCursor
  latestCursor lag version deadLetters(first: 10) { nodes { cursor kind aggregateId version attempts lastError } hasNextPage }`;
const REGISTER = `mutation ($i: RegisterWebhookInput!) {
  registerWebhook(input: $i) { secret webhook { ${FIELDS} } } }`;
const ONE = `query ($t: ID!, $w: ID!) { webhook(tenantId: $t, webhookId: $w) { ${FIELDS} } }`;
const REPLAY = `mutation ($t: ID!, $w: ID!, $c: String!) {
  replayWebhook(tenantId: $t, webhookId: $w, fromCursor: $c) { deliveredCursor } }`;

async function receiver(answer?: Parameters<typeof startWebhookReceiver>[0]) {
  const r = await startWebhookReceiver(answer);
  receivers.push(r);
  return r;
}

async function registerWebhook(
  tenantId: string,
  url: string,
  extra: Record<string, unknown> = {},
  apiUrl = stack.apiUrl,
) {
  const res = await graphql(apiUrl, REGISTER, { i: { tenantId, id: 'partner', url, ...extra } });
  expect(res.errors).toBeUndefined();
  return res.data.registerWebhook as { secret: string; webhook: any };
}

async function webhook(tenantId: string, webhookId = 'partner') {
  const res = await graphql(stack.apiUrl, ONE, { t: tenantId, w: webhookId });
  expect(res.errors).toBeUndefined();
  return res.data.webhook;
}

/** A device registered and then changed `changes` times (desired-changed events). */
async function deviceWithChanges(tenantId: string, deviceId: string, changes: number) {
  await registerDevice(stack, tenantId, deviceId);
  await changeDevice(tenantId, deviceId, changes);
}

async function changeDevice(tenantId: string, deviceId: string, changes: number, from = 0) {
  for (let i = from; i < from + changes; i++) {
    const res = await graphql(
      stack.apiUrl,
      `
        mutation ($i: UpdateDesiredInput!) {
          updateDesired(input: $i) {
            version
          }
        }
      `,
      { i: { tenantId, deviceId, patch: { setpoint: i } } },
    );
    expect(res.errors).toBeUndefined();
  }
}

/** The device's projected version: how many changes the outbox holds for it. */
async function deviceVersion(tenantId: string, deviceId: string): Promise<number> {
  const res = await graphql(
    stack.apiUrl,
    `
      query ($t: ID!, $d: ID!) {
        device(tenantId: $t, deviceId: $d) {
          version
        }
      }
    `,
    { t: tenantId, d: deviceId },
  );
  return res.data.device.version as number;
}

/** Versions of a device's events in the order they were first accepted. */
function firstAccepted(r: WebhookReceiver, deviceId: string): number[] {
  const seen = new Set<string>();
  const versions: number[] = [];
  for (const e of r.accepted()) {
    if (e.subject !== deviceId || seen.has(e.id)) continue;
    seen.add(e.id);
    versions.push(Number(e.doppelversion));
  }
  return versions;
}

/** Waits until every change of each device (1..version) was accepted, and returns them in order. */
async function untilAllAccepted(r: WebhookReceiver, tenantId: string, deviceIds: string[]) {
  const want = new Map<string, number>();
  for (const d of deviceIds) want.set(d, await deviceVersion(tenantId, d));
  await eventually(
    async () =>
      deviceIds.every((d) => firstAccepted(r, d).length >= want.get(d)!) ? true : undefined,
    60_000,
  );
  return Object.fromEntries(deviceIds.map((d) => [d, firstAccepted(r, d)]));
}

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('partner webhooks', () => {
  it('refuse URLs that lead into private networks, as webhooks and as admission hooks', async () => {
    const tenantId = uniqueTenant('wh');
    const metadata = 'http://169.254.169.254/latest/meta-data/iam';
    const asWebhook = await graphql(stack.apiUrl, REGISTER, {
      i: { tenantId, id: 'partner', url: metadata },
    });
    expect(asWebhook.data).toBeNull();
    expect(asWebhook.errors![0]!.extensions).toMatchObject({
      code: 'egress:forbidden',
      hint: expect.stringContaining('EGRESS_ALLOWED_NETWORKS'),
    });
    const asHook = await graphql(
      stack.apiUrl,
      `
        mutation ($i: SetAdmissionHookInput!) {
          setAdmissionHook(input: $i) {
            url
          }
        }
      `,
      { i: { tenantId, url: 'http://[fd00::5]/admit', secret: 'x'.repeat(32), timeoutMs: 1000 } },
    );
    expect(asHook.errors![0]!.extensions!.code).toBe('egress:forbidden');
    // Updating a registered webhook to such a URL is refused the same way.
    const r = await receiver();
    await registerWebhook(tenantId, r.url);
    const moved = await graphql(
      stack.apiUrl,
      `
        mutation ($i: UpdateWebhookInput!) {
          updateWebhook(input: $i) {
            url
          }
        }
      `,
      { i: { tenantId, id: 'partner', url: 'http://192.168.1.20/' } },
    );
    expect(moved.errors![0]!.extensions!.code).toBe('egress:forbidden');
    expect((await webhook(tenantId)).url).toBe(r.url);
  });

  it('delivers each twin change as a CloudEvent signed with the secret shown once', async () => {
    const tenantId = uniqueTenant('wh');
    const r = await receiver();
    const { secret, webhook: created } = await registerWebhook(tenantId, r.url);
    expect(secret).toMatch(/^whsec_/);
    expect(created).toMatchObject({ id: 'partner', url: r.url, enabled: true, maxAttempts: 10 });
    await deviceWithChanges(tenantId, 'd1', 2);

    const got = await untilAllAccepted(r, tenantId, ['d1']);
    expect(got.d1).toEqual(upTo(await deviceVersion(tenantId, 'd1')));
    const request = r.requests.find((q) => q.event.type === 'dev.doppel.device.desired-changed')!;
    // Verified as a partner verifies it: the Standard Webhooks library, with the secret.
    const headers = request.headers as Record<string, string>;
    expect(new StandardWebhook(secret).verify(request.body, headers)).toMatchObject({
      specversion: '1.0',
    });
    const other = `whsec_${Buffer.from('not the secret, 32 bytes long...').toString('base64')}`;
    expect(() => new StandardWebhook(other).verify(request.body, headers)).toThrow();
    expect(() =>
      new StandardWebhook(secret).verify(request.body.replace('setpoint', 'setpoinT'), headers),
    ).toThrow();

    const event = request.event;
    expect(headers['content-type']).toContain('application/cloudevents+json');
    expect(headers['webhook-id']).toBe(event.id);
    expect(event).toMatchObject({
      specversion: '1.0',
      id: `${tenantId}:${event.doppelcursor}`,
      source: `/doppel/tenants/${tenantId}/devices/d1`,
      type: 'dev.doppel.device.desired-changed',
      subject: 'd1',
      datacontenttype: 'application/json',
      doppeltenant: tenantId,
    });
    expect(Number(event.doppelversion)).toBe(event.data.version);
    expect(event.data.event.type).toBe('desired-changed');
    expect(event.data.state.version).toBe(event.data.version);
    expect(Date.parse(event.time!)).not.toBeNaN();

    // Nothing left to send: the cursor is at the tenant's newest event.
    await eventually(async () => {
      const w = await webhook(tenantId);
      return w.lag === 0 && w.deliveredCursor === w.latestCursor ? w : undefined;
    });
  });

  it('retries a failing partner until it accepts, in version order per device', async () => {
    const tenantId = uniqueTenant('wh');
    let failures = 0;
    const r = await receiver(() => (failures++ < 3 ? 503 : 200));
    await registerWebhook(tenantId, r.url, { maxAttempts: 10 });
    await Promise.all([deviceWithChanges(tenantId, 'a', 3), deviceWithChanges(tenantId, 'b', 3)]);

    const got = await untilAllAccepted(r, tenantId, ['a', 'b']);
    expect(got.a).toEqual(upTo(await deviceVersion(tenantId, 'a')));
    expect(got.b).toEqual(upTo(await deviceVersion(tenantId, 'b')));
    // The first event was refused three times and sent again each time, the same event.
    const first = r.requests[0]!.event.id;
    expect(r.requests.slice(0, 4).map((q) => [q.event.id, q.status])).toEqual([
      [first, 503],
      [first, 503],
      [first, 503],
      [first, 200],
    ]);
    expect((await webhook(tenantId)).deadLetters.nodes).toEqual([]);
  });

  it('dead-letters an event after its last attempt and goes on; a replay sends it again', async () => {
    const tenantId = uniqueTenant('wh');
    let broken = true;
    const r = await receiver((e) => (broken && e.subject === 'bad' ? 500 : 200));
    // A token in the URL's query: it must not reach dead letters (viewer, partner) or Temporal.
    await registerWebhook(tenantId, `${r.url}?token=s3cr3t-in-url`, { maxAttempts: 2 });
    await registerDevice(stack, tenantId, 'bad');
    await deviceWithChanges(tenantId, 'good', 2);

    // The good device's changes arrive behind the bad one's, which was given up on.
    const got = await untilAllAccepted(r, tenantId, ['good']);
    expect(got.good).toEqual(upTo(await deviceVersion(tenantId, 'good')));
    const dead = await eventually(async () => {
      const w = await webhook(tenantId);
      return w.lag === 0 && w.deadLetters.nodes.length > 0 ? w.deadLetters.nodes : undefined;
    });
    expect(dead).toEqual([
      expect.objectContaining({ aggregateId: 'bad', kind: 'registered', version: 1, attempts: 2 }),
    ]);
    expect(dead[0].lastError).toContain('HTTP 500');
    expect(dead[0].lastError).not.toContain('s3cr3t-in-url');
    expect(dead[0].lastError).not.toContain(new URL(r.url).host);
    expect(r.requests.filter((q) => q.event.subject === 'bad')).toHaveLength(2);

    // The partner is fixed and replays from the dead letter: it arrives, and what came after
    // it comes again (same ids: the partner drops them as duplicates).
    broken = false;
    const before = r.accepted().length;
    const replay = await graphql(stack.apiUrl, REPLAY, {
      t: tenantId,
      w: 'partner',
      c: dead[0].cursor,
    });
    expect(replay.errors).toBeUndefined();
    expect(await untilAllAccepted(r, tenantId, ['bad'])).toEqual({ bad: [1] });
    await eventually(async () =>
      r.accepted().length >= before + 1 + got.good!.length ? true : undefined,
    );
    const again = r.accepted().slice(before);
    expect(again.map((e) => e.subject)).toEqual(['bad', ...got.good!.map(() => 'good')]);
    expect((await webhook(tenantId)).deadLetters.nodes).toEqual([]);
  });

  it("never sends one tenant's changes to another tenant's webhook", async () => {
    const [a, b] = [uniqueTenant('wa'), uniqueTenant('wb')];
    const [ra, rb] = [await receiver(), await receiver()];
    await registerWebhook(a, ra.url);
    await registerWebhook(b, rb.url);
    // The same device id in both tenants.
    await Promise.all([deviceWithChanges(a, 'shared', 2), deviceWithChanges(b, 'shared', 3)]);
    await untilAllAccepted(ra, a, ['shared']);
    await untilAllAccepted(rb, b, ['shared']);
    await eventually(async () => ((await webhook(a)).lag === 0 ? true : undefined));
    await eventually(async () => ((await webhook(b)).lag === 0 ? true : undefined));
    for (const [tenant, r] of [
      [a, ra],
      [b, rb],
    ] as const) {
      expect(r.requests.length).toBeGreaterThan(0);
      for (const q of r.requests) {
        expect(q.event.doppeltenant).toBe(tenant);
        expect(q.event.source).toBe(`/doppel/tenants/${tenant}/devices/shared`);
      }
    }
    // A tenant reads only its own webhook.
    const res = await graphql(stack.apiUrl, ONE, { t: uniqueTenant('wc'), w: 'partner' });
    expect(res.data?.webhook).toBeNull();
  });

  it('takes only the changes its filter names', async () => {
    const tenantId = uniqueTenant('wh');
    const r = await receiver();
    await registerWebhook(tenantId, r.url, {
      filter: { deviceIds: ['wanted'], kinds: ['desired-changed'] },
    });
    await deviceWithChanges(tenantId, 'other', 2);
    await deviceWithChanges(tenantId, 'wanted', 2);
    await eventually(async () => ((await webhook(tenantId)).lag === 0 ? true : undefined));
    expect(r.requests.map((q) => [q.event.subject, q.event.type])).toEqual([
      ['wanted', 'dev.doppel.device.desired-changed'],
      ['wanted', 'dev.doppel.device.desired-changed'],
    ]);
  });

  it('holds events while disabled, sends them when enabled, and stops when removed', async () => {
    const tenantId = uniqueTenant('wh');
    const r = await receiver();
    await registerWebhook(tenantId, r.url, { enabled: false });
    await deviceWithChanges(tenantId, 'd', 2);
    const update = `mutation ($i: UpdateWebhookInput!) { updateWebhook(input: $i) { enabled version } }`;
    const held = await webhook(tenantId);
    expect(held.lag).toBe(await deviceVersion(tenantId, 'd'));
    expect(r.requests).toEqual([]);

    const enabled = await graphql(stack.apiUrl, update, {
      i: { tenantId, id: 'partner', enabled: true },
    });
    expect(enabled.data.updateWebhook).toEqual({ enabled: true, version: 2 });
    const got = await untilAllAccepted(r, tenantId, ['d']);
    expect(got.d).toEqual(upTo(await deviceVersion(tenantId, 'd')));

    const removed = await graphql(
      stack.apiUrl,
      `
        mutation ($t: ID!, $w: ID!) {
          removeWebhook(tenantId: $t, webhookId: $w) {
            removed
          }
        }
      `,
      { t: tenantId, w: 'partner' },
    );
    expect(removed.data.removeWebhook.removed).toBe(true);
    const before = r.requests.length;
    await changeDevice(tenantId, 'd', 2, 50);
    // Another webhook of the tenant, registered after the changes, proves they were committed
    // and read; the removed one got none of them.
    const r2 = await receiver();
    await registerWebhook(tenantId, r2.url);
    await changeDevice(tenantId, 'd', 1, 60);
    await eventually(async () => (r2.accepted().length > 0 ? true : undefined));
    expect(r.requests.length).toBe(before);
  });

  it('refuses bad definitions with clear codes', async () => {
    const tenantId = uniqueTenant('wh');
    const refused = async (query: string, variables: Record<string, unknown>) => {
      const res = await graphql(stack.apiUrl, query, variables);
      expect(res.errors).toHaveLength(1);
      return res.errors![0]!.extensions?.code;
    };
    const register = (i: Record<string, unknown>) =>
      refused(REGISTER, { i: { tenantId, id: 'partner', ...i } });
    expect(await register({ url: 'ftp://partner.example.com/in' })).toBe('webhook:url.invalid');
    expect(await register({ url: 'partner.example.com' })).toBe('webhook:url.invalid');
    expect(await register({ url: 'https://partner.example.com', maxAttempts: 0 })).toBe(
      'webhook:invalid',
    );
    await registerWebhook(tenantId, 'https://partner.example.com/in', { enabled: false });
    expect(await register({ url: 'https://partner.example.com/in' })).toBe('webhook:exists');
    expect(
      await refused(`mutation ($i: UpdateWebhookInput!) { updateWebhook(input: $i) { id } }`, {
        i: { tenantId, id: 'nobody', enabled: true },
      }),
    ).toBe('webhook:not-found');
    expect(await refused(REPLAY, { t: tenantId, w: 'partner', c: '-1' })).toBe(
      'webhook:cursor.invalid',
    );
    const removed = await graphql(
      stack.apiUrl,
      `
        mutation ($t: ID!, $w: ID!) {
          removeWebhook(tenantId: $t, webhookId: $w) {
            removed
          }
        }
      `,
      { t: tenantId, w: 'partner' },
    );
    expect(removed.data.removeWebhook.removed).toBe(true);
    expect(await webhook(tenantId)).toBeNull();
  });

  it('loses nothing when its worker is killed mid-delivery and the API restarts', async () => {
    const tenantId = uniqueTenant('wk');
    const backends = {
      temporalAddress: inject('temporalAddress'),
      databaseUrl: inject('databaseUrl'),
    };
    // Delivery runs on a queue of its own, served by a worker process we can kill; an API of
    // its own starts the webhook there, and is restarted.
    const taskQueue = `webhook-kill-${Date.now().toString(36)}`;
    const apiDatabase = createDatabase(backends.databaseUrl);
    const startOwnApi = () =>
      startApi({
        ...backends,
        namespace: 'default',
        database: apiDatabase,
        host: '127.0.0.1',
        port: 0,
        metricsPort: 0,
        logger: pino({ level: 'silent' }),
        offlineGraceMs: 0,
        auth: TEST_AUTH,
        webhookTaskQueue: taskQueue,
        egress: createEgress(TEST_ALLOWED_NETWORKS),
      });
    let api: RunningApi | null = await startOwnApi();
    let worker = await startWorkerProcess(backends, taskQueue);
    let hold = false;
    const r = await receiver(() => (hold ? 'hold' : 200));
    try {
      await registerWebhook(tenantId, r.url, {}, `http://127.0.0.1:${api.port}/graphql`);
      await deviceWithChanges(tenantId, 'k', 2);
      await untilAllAccepted(r, tenantId, ['k']);

      // The partner stops answering: the next event is in flight when the worker dies.
      hold = true;
      await changeDevice(tenantId, 'k', 1, 10);
      await eventually(async () => (r.requests.some((q) => q.status === null) ? true : undefined));
      await worker.crash();
      await api.stop();
      api = null;
      // Changes committed while nothing delivers.
      await changeDevice(tenantId, 'k', 3, 20);
      await deviceWithChanges(tenantId, 'k2', 2);
      hold = false;
      api = await startOwnApi();
      worker = await startWorkerProcess(backends, taskQueue);

      const got = await untilAllAccepted(r, tenantId, ['k', 'k2']);
      expect(got.k).toEqual(upTo(await deviceVersion(tenantId, 'k')));
      expect(got.k2).toEqual(upTo(await deviceVersion(tenantId, 'k2')));
      expect(got.k!.length).toBeGreaterThanOrEqual(7);
    } finally {
      await worker.crash();
      await api?.stop();
      await apiDatabase.close();
    }
  }, 180_000);
});
