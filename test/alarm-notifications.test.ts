import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlarmRule } from '../db/alarm-rule-store';
import { createEgress } from '../outbound/egress';
import { alarmRuleSchema, type AlarmRuleInput } from '../twins/alarms/rule';
import { startAlarmNotifier, type AlarmNotifier } from '../workflows/worker/alarm-notifier';
import { eventsOf, subscribe, transition } from './support/change-subscriptions';
import { connectRegistered, type TestDevice } from './support/device-client';
import { TEST_ALLOWED_NETWORKS } from './support/egress';
import { eventually, graphql, graphqlOk } from './support/graphql';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

/**
 * Alarm notifications (issue 19, item 4) with real receivers: an SMTP server and an HTTP
 * server on loopback, a GraphQL subscription client, a real device through the real gateway.
 * The notifier is the worker's (workflows/worker/alarm-notifier.ts), started here so a test
 * can stop and restart it.
 */
let stack: TestStack;
let notifier: AlarmNotifier | null = null;

interface Mail {
  to: string[];
  raw: string;
  subject: string;
}
const mails: Mail[] = [];
let smtp: SMTPServer;
let smtpPort = 0;

interface Hook {
  path: string;
  body: any;
  raw: string;
  headers: Record<string, string>;
}
const hooks: Hook[] = [];
let receiver: Server;
let receiverUrl = '';

const startNotifier = () =>
  startAlarmNotifier(stack.database, {
    egress: createEgress(TEST_ALLOWED_NETWORKS),
    smtp: { host: '127.0.0.1', port: smtpPort, secure: false, from: 'doppel@example.test' },
    tickMs: 200,
    retryMs: 200,
    timeoutMs: 5_000,
  });

beforeAll(async () => {
  stack = await startTestStack();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      stream.on('end', () => {
        const subject = /^Subject: (.*)$/m.exec(raw)?.[1] ?? '';
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, subject });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  receiver = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      hooks.push({
        path: req.url ?? '',
        raw,
        body: JSON.parse(raw),
        headers: req.headers as Record<string, string>,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  notifier = await startNotifier();
});
afterAll(async () => {
  await notifier?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
  await new Promise<void>((resolve) => (smtp ? smtp.close(resolve) : resolve()));
  await stack?.stop();
});

const meter = JSON.parse(
  readFileSync(new URL('../twins/profiles/examples/acme-meter-em3.json', import.meta.url), 'utf8'),
);

const rule = (over: Partial<AlarmRuleInput>) =>
  alarmRuleSchema.parse({
    name: 'rule',
    alarmType: 'Test',
    scope: { deviceProfile: meter.model },
    severity: 'major',
    condition: { field: 'powerKW', above: 5 },
    ...over,
  });

const addRule = (tenantId: string, ruleId: string, over: Partial<AlarmRuleInput>) =>
  createAlarmRule(stack.database, { tenantId, ruleId, actor: 'ops', role: 'admin' }, rule(over));

async function tenantWithSite(prefix: string) {
  const tenantId = uniqueTenant(prefix);
  await graphqlOk(
    stack.apiUrl,
    `mutation ($t: ID!, $p: JSONObject!) { putDeviceProfile(tenantId: $t, profile: $p) { version } }`,
    { t: tenantId, p: meter },
  );
  await graphqlOk(
    stack.apiUrl,
    'mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { __typename } }',
    { i: { tenantId, customerId: 'c1', name: 'C' } },
  );
  await graphqlOk(
    stack.apiUrl,
    'mutation ($i: CreateSiteInput!) { createSite(input: $i) { __typename } }',
    { i: { tenantId, siteId: 's1', customerId: 'c1', name: 'S' } },
  );
  return tenantId;
}

/** A device at site s1 (bound to an asset there), connected. */
async function deviceAtSite(tenantId: string, deviceId: string): Promise<TestDevice> {
  const device = await connectRegistered(stack, tenantId, deviceId, meter.model);
  await graphqlOk(
    stack.apiUrl,
    'mutation ($i: CreateAssetInput!) { createAsset(input: $i) { __typename } }',
    { i: { tenantId, assetId: `asset-${deviceId}`, siteId: 's1', name: 'A' } },
  );
  await graphqlOk(
    stack.apiUrl,
    'mutation ($i: BindDeviceInput!) { bindDevice(input: $i) { __typename } }',
    { i: { tenantId, assetId: `asset-${deviceId}`, deviceId } },
  );
  // The binding reaches the record through the twin: alarms read it from there.
  await eventually(async () => {
    const [row] = await stack.database.sql<{ site_id: string | null }[]>`
      select site_id from device_twins where tenant_id = ${tenantId} and device_id = ${deviceId}`;
    return row?.site_id === 's1' ? true : undefined;
  });
  return device;
}

let seq = 100;
async function report(device: TestDevice, state: Record<string, unknown>) {
  const s = ++seq;
  device.send({ type: 'report', seq: s, state });
  expect(await device.next((m) => m.seq === s)).toMatchObject({ type: 'ack' });
}
async function power(device: TestDevice, watts: number) {
  const s = ++seq;
  device.send({
    type: 'telemetry',
    seq: s,
    samples: [{ at: new Date(Date.now()).toISOString(), values: { power: watts } }],
  });
  expect(await device.next((m) => m.seq === s)).toMatchObject({ type: 'ack' });
}

async function createChannel(tenantId: string, channelId: string, channel: object) {
  const data = await graphqlOk(
    stack.apiUrl,
    `mutation ($t: ID!, $c: ID!, $ch: JSONObject!) {
      createNotificationChannel(tenantId: $t, channelId: $c, channel: $ch) {
        channel { channelId version kind }
        secret
      }
    }`,
    { t: tenantId, c: channelId, ch: channel },
  );
  return data.createNotificationChannel as { channel: { version: number }; secret: string | null };
}

const hooksAt = (path: string) => hooks.filter((h) => h.path === path);
const mailsTo = (address: string) => mails.filter((m) => m.to.includes(address));
const notificationRows = (tenantId: string, channelId: string) =>
  stack.database.sql<{ transition: string; status: string; alarm_id: string }[]>`
    select transition, status, alarm_id::text from alarm_notifications
    where tenant_id = ${tenantId} and channel_id = ${channelId} order by notification_id`;

const ALARM_EVENTS = /* GraphQL */ `
  subscription ($t: ID!, $f: JSONObject) {
    alarmEvents(tenantId: $t, filter: $f) {
      cursor
      kind
      version
      actor
      alarmId
      deviceId
      severity
      status
      siteId
      muted
    }
  }
`;

describe('alarm notifications', () => {
  it('a raised alarm reaches a signed webhook, an e-mail and the subscription, routed by severity and site', async () => {
    const tenantId = await tenantWithSite('notify');
    await addRule(tenantId, 'fault', {
      alarmType: 'Fault',
      severity: 'critical',
      condition: { field: 'status', in: ['faulted'] },
    });
    await addRule(tenantId, 'load', { alarmType: 'Load', severity: 'minor' });
    const critical = await createChannel(tenantId, 'pager', {
      kind: 'webhook',
      name: 'Pager',
      url: `${receiverUrl}/pager/${tenantId}`,
      routing: { minSeverity: 'critical' },
    });
    expect(critical.secret).toMatch(/^whsec_/);
    await createChannel(tenantId, 'site-mail', {
      kind: 'email',
      name: 'Site s1',
      to: [`ops-${tenantId}@example.test`],
      routing: { siteIds: ['s1'] },
    });
    await createChannel(tenantId, 'elsewhere', {
      kind: 'webhook',
      name: 'Another site',
      url: `${receiverUrl}/elsewhere/${tenantId}`,
      routing: { siteIds: ['s2'] },
    });
    const sub = await subscribe('graphql-ws', stack.apiUrl, ALARM_EVENTS, {
      t: tenantId,
      f: { minSeverity: 'critical' },
    });
    const device = await deviceAtSite(tenantId, 'em-1');
    // The subscription is live before the alarms are raised.
    await new Promise((r) => setTimeout(r, 500));
    await report(device, { status: 'faulted' });
    await power(device, 6_000);

    // E-mail: both alarms (both at site s1).
    const mail = await eventually(async () =>
      mailsTo(`ops-${tenantId}@example.test`).length >= 2
        ? mailsTo(`ops-${tenantId}@example.test`)
        : undefined,
    );
    expect(mail.map((m) => m.subject).sort()).toEqual([
      '[Doppel] CRITICAL Fault raised on em-1',
      '[Doppel] MINOR Load raised on em-1',
    ]);
    // The critical-only webhook: the critical alarm, signed.
    const [hook] = await eventually(async () =>
      hooksAt(`/pager/${tenantId}`).length > 0 ? hooksAt(`/pager/${tenantId}`) : undefined,
    );
    expect(() => new Webhook(critical.secret!).verify(hook!.raw, hook!.headers)).not.toThrow();
    expect(() =>
      new Webhook(
        `whsec_${Buffer.from('another key of 32 bytes, not it.').toString('base64')}`,
      ).verify(hook!.raw, hook!.headers),
    ).toThrow();
    expect(hook!.body).toMatchObject({
      type: 'alarm.raised',
      tenantId,
      channelId: 'pager',
      transition: 'v1',
      event: { type: 'raised', actor: 'rule:fault' },
      alarm: {
        deviceId: 'em-1',
        severity: 'critical',
        alarmType: 'Fault',
        siteId: 's1',
        customerId: 'c1',
        status: 'active',
        muted: false,
      },
    });
    // Both events were routed (the e-mails went out): the minor one not to the pager, none elsewhere.
    expect((await notificationRows(tenantId, 'pager')).map((r) => r.transition)).toEqual(['v1']);
    expect(await notificationRows(tenantId, 'elsewhere')).toEqual([]);
    // The subscription: the critical event, with the same routing.
    const events = await eventually(async () => {
      const e = eventsOf(sub, 'alarmEvents');
      return e.length > 0 ? e : undefined;
    });
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'raised',
        version: 1,
        severity: 'CRITICAL',
        deviceId: 'em-1',
        siteId: 's1',
        actor: 'rule:fault',
        muted: false,
      }),
    ]);
    await sub.close();
    device.close();
  });

  it('a flapping device raises one alarm and one notification, not a storm', async () => {
    const tenantId = await tenantWithSite('flap');
    await addRule(tenantId, 'hot', {
      alarmType: 'Overload',
      condition: { field: 'powerKW', above: 5, clearBelow: 4 },
      raise: { datapoints: 3, of: 5 },
      clear: { consecutive: 3 },
    });
    await createChannel(tenantId, 'hook', {
      kind: 'webhook',
      name: 'All',
      url: `${receiverUrl}/flap/${tenantId}`,
    });
    const device = await deviceAtSite(tenantId, 'em-2');
    // Around the threshold and inside the hysteresis band, 20 times.
    for (let i = 0; i < 20; i++) await power(device, i % 2 === 0 ? 5_600 : 4_600);
    await eventually(async () => (hooksAt(`/flap/${tenantId}`).length > 0 ? true : undefined));
    // Every event up to the last sample is routed by now (the next tick): still one.
    const [count] = await stack.database.sql<{ n: number }[]>`
      select count(*)::int as n from outbox where tenant_id = ${tenantId} and aggregate_type = 'alarm'`;
    expect(count!.n).toBe(1);
    await eventually(async () =>
      (await notificationRows(tenantId, 'hook')).every((r) => r.status === 'sent')
        ? true
        : undefined,
    );
    expect((await notificationRows(tenantId, 'hook')).map((r) => r.transition)).toEqual(['v1']);
    expect(hooksAt(`/flap/${tenantId}`).map((h) => h.body.type)).toEqual(['alarm.raised']);
    device.close();
  });

  it('one notification per channel, alarm and transition across notifier restarts and a replayed cursor', async () => {
    const tenantId = await tenantWithSite('dedup');
    await addRule(tenantId, 'load', { alarmType: 'Load', severity: 'major' });
    await createChannel(tenantId, 'hook', {
      kind: 'webhook',
      name: 'All',
      url: `${receiverUrl}/dedup/${tenantId}`,
    });
    const device = await deviceAtSite(tenantId, 'em-3');
    // The notifier is down while the alarm is raised: the event waits in the outbox.
    await notifier!.stop();
    notifier = null;
    const [before] = await stack.database.sql<{ outbox_id: string }[]>`
      select outbox_id::text from alarm_notification_cursor`;
    await power(device, 7_000);
    // Two workers come up at once, one restarts, and the cursor is set back (a lost commit).
    const [a, b] = await Promise.all([startNotifier(), startNotifier()]);
    await eventually(async () => (hooksAt(`/dedup/${tenantId}`).length > 0 ? true : undefined));
    await a.stop();
    await stack.database.sql`update alarm_notification_cursor set outbox_id = ${before!.outbox_id}`;
    notifier = await startNotifier();
    await eventually(async () => {
      const [c] = await stack.database.sql<{ outbox_id: string }[]>`
        select outbox_id::text from alarm_notification_cursor`;
      return Number(c!.outbox_id) > Number(before!.outbox_id) ? true : undefined;
    });
    // And the alarm is cleared meanwhile: that transition is one more, once.
    await graphqlOk(
      stack.apiUrl,
      'mutation ($t: ID!, $a: ID!) { clearAlarm(tenantId: $t, alarmId: $a) { status } }',
      { t: tenantId, a: hooksAt(`/dedup/${tenantId}`)[0]!.body.alarm.alarmId },
    );
    await eventually(async () => (hooksAt(`/dedup/${tenantId}`).length >= 2 ? true : undefined));
    await b.stop();
    expect((await notificationRows(tenantId, 'hook')).map((r) => [r.transition, r.status])).toEqual(
      [
        ['v1', 'sent'],
        ['v2', 'sent'],
      ],
    );
    expect(hooksAt(`/dedup/${tenantId}`).map((h) => [h.body.type, h.body.event.actor])).toEqual([
      ['alarm.raised', 'rule:load'],
      ['alarm.cleared', 'user:test-admin'],
    ]);
    device.close();
  });

  it('reminds of an unacknowledged critical alarm until it is acknowledged', async () => {
    const tenantId = await tenantWithSite('remind');
    await addRule(tenantId, 'fault', {
      alarmType: 'Fault',
      severity: 'critical',
      condition: { field: 'status', in: ['faulted'] },
    });
    await createChannel(tenantId, 'hook', {
      kind: 'webhook',
      name: 'Critical',
      url: `${receiverUrl}/remind/${tenantId}`,
      routing: { minSeverity: 'critical' },
      reminderEverySeconds: 1,
    });
    const device = await deviceAtSite(tenantId, 'em-4');
    await report(device, { status: 'faulted' });
    const types = () => hooksAt(`/remind/${tenantId}`).map((h) => h.body.type);
    await eventually(async () =>
      types().filter((t) => t === 'alarm.reminder').length >= 2 ? true : undefined,
    );
    const alarmId = hooksAt(`/remind/${tenantId}`)[0]!.body.alarm.alarmId;
    await graphqlOk(
      stack.apiUrl,
      'mutation ($t: ID!, $a: ID!) { acknowledgeAlarm(tenantId: $t, alarmId: $a) { acknowledged } }',
      { t: tenantId, a: alarmId },
    );
    await eventually(async () => (types().includes('alarm.acknowledged') ? true : undefined));
    // Three reminder periods after the acknowledgement went out: no reminder came after it.
    await new Promise((r) => setTimeout(r, 3_000));
    const after = types().slice(types().indexOf('alarm.acknowledged') + 1);
    expect(after).toEqual([]);
    const reminders = hooksAt(`/remind/${tenantId}`).filter(
      (h) => h.body.type === 'alarm.reminder',
    );
    expect(new Set(reminders.map((h) => h.body.transition)).size).toBe(reminders.length);
    device.close();
  });

  it('a digest channel sends one message listing the transitions since the last digest', async () => {
    const tenantId = await tenantWithSite('digest');
    await addRule(tenantId, 'load', { alarmType: 'Load', severity: 'major' });
    const address = `digest-${tenantId}@example.test`;
    await createChannel(tenantId, 'daily', {
      kind: 'email',
      name: 'Digest',
      to: [address],
      mode: 'digest',
      digestEverySeconds: 2,
    });
    const one = await deviceAtSite(tenantId, 'em-5');
    const two = await deviceAtSite(tenantId, 'em-6');
    // Both raised while no notifier runs: both wait for the same digest.
    await notifier!.stop();
    notifier = null;
    await power(one, 6_000);
    await power(two, 6_500);
    notifier = await startNotifier();
    const [digest] = await eventually(async () =>
      mailsTo(address).length > 0 ? mailsTo(address) : undefined,
    );
    expect(digest!.subject).toBe('[Doppel] 2 alarm events (digest)');
    expect(digest!.raw).toContain('MAJOR Load on em-5: raised');
    expect(digest!.raw).toContain('MAJOR Load on em-6: raised');
    const rows = await notificationRows(tenantId, 'daily');
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(mailsTo(address)).toHaveLength(1);
    one.close();
    two.close();
  });

  it('a muted alarm (the device in maintenance) is never notified; the subscription shows it, marked', async () => {
    const tenantId = await tenantWithSite('muted');
    await addRule(tenantId, 'load', { alarmType: 'Load', severity: 'critical' });
    await createChannel(tenantId, 'hook', {
      kind: 'webhook',
      name: 'All',
      url: `${receiverUrl}/muted/${tenantId}`,
      routing: { kinds: ['raised', 'muted', 'cleared'] },
    });
    const sub = await subscribe('graphql-ws', stack.apiUrl, ALARM_EVENTS, { t: tenantId });
    const device = await deviceAtSite(tenantId, 'em-7');
    await eventually(async () => {
      const [row] = await stack.database.sql<{ lifecycle: string }[]>`
        select lifecycle from device_twins where tenant_id = ${tenantId} and device_id = 'em-7'`;
      return row?.lifecycle === 'active' ? true : undefined;
    });
    await transition(stack.apiUrl, tenantId, 'em-7', 'MAINTENANCE');
    await eventually(async () => {
      const [row] = await stack.database.sql<{ lifecycle: string }[]>`
        select lifecycle from device_twins where tenant_id = ${tenantId} and device_id = 'em-7'`;
      return row?.lifecycle === 'maintenance' ? true : undefined;
    });
    await power(device, 7_000);
    const [event] = await eventually(async () => {
      const e = eventsOf(sub, 'alarmEvents');
      return e.length > 0 ? e : undefined;
    });
    expect(event).toMatchObject({ kind: 'raised', muted: true, severity: 'CRITICAL' });
    // The router has passed the event (its cursor is beyond it): nothing for the channel.
    await eventually(async () => {
      const [c] = await stack.database.sql<{ outbox_id: string }[]>`
        select outbox_id::text from alarm_notification_cursor`;
      return Number(c!.outbox_id) >= Number(event.cursor) ? true : undefined;
    });
    expect(await notificationRows(tenantId, 'hook')).toEqual([]);
    expect(hooksAt(`/muted/${tenantId}`)).toEqual([]);
    await sub.close();
    device.close();
  });

  it('a channel is checked against its schema: every problem with its path', async () => {
    const tenantId = uniqueTenant('channels');
    const create = (channel: object) =>
      graphql(
        stack.apiUrl,
        `
          mutation ($t: ID!, $ch: JSONObject!) {
            createNotificationChannel(tenantId: $t, channelId: "x", channel: $ch) {
              secret
            }
          }
        `,
        { t: tenantId, ch: channel },
      );
    const paths = (res: Awaited<ReturnType<typeof create>>) => {
      expect(res.errors?.[0]?.extensions?.code).toBe('notification-channel.invalid');
      return (res.errors?.[0]?.extensions as any).issues.map((i: any) => i.path.join('.'));
    };
    expect(paths(await create({ kind: 'email', name: 'x', to: ['not-an-address'] }))).toEqual([
      'to.0',
    ]);
    expect(
      paths(await create({ kind: 'email', name: 'x', to: ['a@example.test'], mode: 'digest' })),
    ).toEqual(['digestEverySeconds']);
    expect(
      paths(
        await create({
          kind: 'webhook',
          name: 'x',
          url: receiverUrl,
          routing: { minSeverity: 'urgent' },
        }),
      ),
    ).toEqual(['routing.minSeverity']);
  });
});
