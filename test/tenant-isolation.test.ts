import type { GraphQLField } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_TENANT } from '../graphql/auth/authenticate';
import { encodeCursor } from '../graphql/schema/graph/connection';
import { globalId } from '../graphql/schema/graph/global-id';
import { createLogRequest, insertLogLines } from '../db/device-logs';
import { schema } from '../graphql/schema';
import { bearer } from './support/auth';
import { eventually, graphql, graphqlOk } from './support/graphql';
import { chargeOnce, startEmptyRollout } from './support/fleet-objects';
import { OCMF_VECTORS } from './support/ocmf-vectors';
import { hasContent, requestFor, rootFields } from './support/schema-walk';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver';
import { wsSubscription } from './support/ws-subscription';

// Tenant B owns one object of every kind the API has. Tenant A's administrator walks the whole
// schema at B: every query, node lookup, mutation and subscription must answer for B's real
// objects exactly as for objects that do not exist, in B or in a tenant nobody has. B's own
// administrator asks the same questions and must see its objects: a walk that could not see
// them could not see a leak either.

let stack: TestStack;
let receiver: WebhookReceiver;
const A = uniqueTenant('tenant-a');
const B = uniqueTenant('tenant-b');
const NOBODY = uniqueTenant('tenant-nobody');

/** B's real objects, by the argument name that names them (filled in as they are made). */
const real = {
  deviceId: 'dev-b',
  serial: 'sn-b',
  customerId: 'cust-b',
  siteId: 'site-b',
  assetId: 'asset-b',
  model: 'model-b',
  rolloutId: 'rollout-b',
  backendId: 'backend-b',
  webhookId: 'hook-b',
  bulkId: '',
  keyId: '',
  sessionId: '',
  ruleId: 'rule-b',
  alarmId: '',
  channelId: 'channel-b',
  ocpiPartyId: 'ocpi-b',
  tariffId: 'tariff-b',
};
type Ids = typeof real;

/**
 * An id nobody has, of exactly the same shape (a UUID stays a UUID, a number a number), so a
 * refusal cannot tell the two apart by their form.
 */
function sameShape(id: string): string {
  const next = (c: string, from: string) => from[(from.indexOf(c) + 1) % from.length]!;
  return [...id]
    .map((c) => {
      if (/[0-9]/.test(c)) return next(c, '0123456789');
      if (/[a-f]/.test(c)) return next(c, 'abcdef');
      if (/[g-z]/.test(c)) return next(c, 'ghijklmnopqrstuvwxyz');
      if (/[A-F]/.test(c)) return next(c, 'ABCDEF');
      if (/[G-Z]/.test(c)) return next(c, 'GHIJKLMNOPQRSTUVWXYZ');
      return c;
    })
    .join('');
}
let missing: Ids;

/**
 * The argument named `id` means a different object for each field that has one; a new field
 * with an `id` must be added here, or the walk refuses to guess.
 */
const ID_ARGUMENT: Record<string, keyof Ids> = {
  sessionRecord: 'sessionId',
  registerBackend: 'backendId',
  updateBackend: 'backendId',
  registerWebhook: 'webhookId',
  updateWebhook: 'webhookId',
  registerOcpiParty: 'ocpiPartyId',
  updateOcpiParty: 'ocpiPartyId',
  // The configuration's id is the operation's (RolloutConfigInput.id).
  startRollout: 'rolloutId',
  startBulkCommand: 'rolloutId',
};

function hasIdArgument(field: GraphQLField<unknown, unknown>): boolean {
  return field.args.some((a) => {
    if (a.name === 'id') return true;
    const type = a.type.toString().replace(/[![\]]/g, '');
    const input = schema.getType(type) as { getFields?: () => Record<string, unknown> } | undefined;
    return input?.getFields !== undefined && 'id' in input.getFields();
  });
}

/** Queries about the installation rather than a tenant: the checkpoints' public keys. */
const INSTALLATION_WIDE = new Set(['ledgerKeys']);

/** The request of `operation`'s `field` aimed at `tenantId`'s objects named by `ids`. */
function request(
  operation: 'query' | 'mutation' | 'subscription',
  field: GraphQLField<unknown, unknown>,
  tenantId: string,
  ids: Ids,
  extra: Record<string, unknown> = {},
) {
  const which = ID_ARGUMENT[field.name];
  if (hasIdArgument(field) && !which && field.name !== 'node')
    throw new Error(`${field.name} has an id argument: say which object it names (ID_ARGUMENT)`);
  const id = which ? ids[which] : undefined;
  return requestFor(operation, field, { tenantId, ...ids, ...(id ? { id } : {}), ...extra });
}

/** An answer with every id and tenant it could name blanked out, to compare two answers. */
function shape(answer: unknown): string {
  const names = [
    ...Object.values(real),
    ...Object.values(missing),
    A,
    B,
    NOBODY,
    // Another tenant is answered as a tenant nobody is in (NO_TENANT).
    NO_TENANT,
  ]
    .filter((v) => v.length > 0)
    .sort((x, y) => y.length - x.length);
  let text = JSON.stringify(answer);
  for (const name of names) text = text.split(name).join('<id>');
  return text;
}

const ok = (query: string, variables: Record<string, unknown> = {}) =>
  graphqlOk(stack.apiUrl, query, variables);

/** B's fleet, made by the platform administrator: one object of every kind. */
async function makeTenantB() {
  await ok(
    'mutation ($t: ID!, $p: JSONObject!) { putDeviceProfile(tenantId: $t, profile: $p) { model } }',
    {
      t: B,
      p: {
        model: real.model,
        vendor: 'B Works',
        protocol: 'json',
        fields: { temperature: { kind: 'telemetry', type: 'number', unit: '°C' } },
      },
    },
  );
  const registered = await ok(
    'mutation ($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }',
    { i: { tenantId: B, deviceId: real.deviceId } },
  );
  // The meter key B's station was commissioned with (OCMF): read on B's device only.
  await ok('mutation ($i: SetMeterPublicKeyInput!) { setMeterPublicKey(input: $i) { deviceId } }', {
    i: { tenantId: B, deviceId: real.deviceId, publicKey: OCMF_VECTORS.secp256r1.key },
  });
  await ok('mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { __typename } }', {
    i: { tenantId: B, customerId: real.customerId, name: 'B corp' },
  });
  await ok('mutation ($i: CreateSiteInput!) { createSite(input: $i) { __typename } }', {
    i: { tenantId: B, siteId: real.siteId, customerId: real.customerId, name: 'B depot' },
  });
  await ok('mutation ($i: CreateAssetInput!) { createAsset(input: $i) { __typename } }', {
    i: { tenantId: B, assetId: real.assetId, siteId: real.siteId, name: 'B bay' },
  });
  await ok('mutation ($i: BindDeviceInput!) { bindDevice(input: $i) { __typename } }', {
    i: { tenantId: B, assetId: real.assetId, deviceId: real.deviceId },
  });
  await ok('mutation ($i: ProvisionDeviceInput!) { provisionDevice(input: $i) { created } }', {
    i: { tenantId: B, serial: real.serial },
  });
  const bulk = await ok(
    'mutation ($i: ProvisionDevicesInput!) { provisionDevices(input: $i) { bulkId } }',
    { i: { tenantId: B, format: 'CSV', content: 'serial,method\nsn-b-bulk,credentials' } },
  );
  real.bulkId = bulk.provisionDevices.bulkId;
  const key = await ok(
    'mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { keyId } } }',
    { i: { tenantId: B, name: 'b partner', role: 'PARTNER' } },
  );
  real.keyId = key.createApiKey.apiKey.keyId;
  await ok('mutation ($i: RegisterBackendInput!) { registerBackend(input: $i) { id } }', {
    i: {
      tenantId: B,
      id: real.backendId,
      kind: 'WEBHOOK',
      url: receiver.url,
      secret: 'b'.repeat(32),
    },
  });
  await ok('mutation ($i: RegisterWebhookInput!) { registerWebhook(input: $i) { secret } }', {
    i: { tenantId: B, id: real.webhookId, url: receiver.url },
  });
  await ok('mutation ($i: RegisterOcpiPartyInput!) { registerOcpiParty(input: $i) { tokenA } }', {
    i: { tenantId: B, id: real.ocpiPartyId, cpoCountryCode: 'NL', cpoPartyId: 'BBB', cpoName: 'B' },
  });
  // A backend of each kind: the OCPI one narrows what B's party sees.
  await ok('mutation ($i: RegisterBackendInput!) { registerBackend(input: $i) { id } }', {
    i: { tenantId: B, id: `${real.backendId}-ocpi`, kind: 'OCPI', ocpiPartyId: real.ocpiPartyId },
  });
  await ok(
    'mutation ($t: ID!, $s: ID!, $l: JSONObject!) { setOcpiLocation(tenantId: $t, siteId: $s, location: $l) { publish } }',
    {
      t: B,
      s: real.siteId,
      l: {
        address: 'B street 1',
        city: 'B town',
        country: 'NLD',
        coordinates: { latitude: '52.00000', longitude: '4.00000' },
        time_zone: 'Europe/Amsterdam',
      },
    },
  );
  await ok(
    'mutation ($t: ID!, $id: ID!, $tariff: JSONObject!) { setOcpiTariff(tenantId: $t, tariffId: $id, tariff: $tariff) { tariffId } }',
    {
      t: B,
      id: real.tariffId,
      tariff: {
        currency: 'EUR',
        elements: [{ price_components: [{ type: 'ENERGY', price: 0.3, step_size: 1 }] }],
      },
    },
  );
  await startEmptyRollout(stack, B, real.rolloutId);
  // A log line of B's device, a request for its log file and the file it uploaded.
  await insertLogLines(stack.database, [
    {
      tenantId: B,
      deviceId: real.deviceId,
      at: new Date().toISOString(),
      level: 'warn',
      source: 'b',
      text: 'B only',
      attributes: {},
    },
  ]);
  const { token } = await createLogRequest(
    stack.database,
    { tenantId: B, deviceId: real.deviceId },
    { ttlMs: 600_000, requestedBy: 'b-admin' },
  );
  const upload = await fetch(
    `${stack.gatewayUrl.replace(/^ws/, 'http').replace(/\/device$/, '')}/uploads/${token}`,
    { method: 'PUT', body: 'B diagnostics' },
  );
  expect(upload.status).toBe(201);
  await ok(
    'mutation ($t: ID!, $c: ID!, $ch: JSONObject!) { createNotificationChannel(tenantId: $t, channelId: $c, channel: $ch) { secret } }',
    {
      t: B,
      c: real.channelId,
      ch: { name: 'B on call', kind: 'webhook', url: receiver.url },
    },
  );
  // An alarm rule for B's site, which the charging session below raises an alarm by: a
  // transaction reported on connector 1 (the device must stand at the site first).
  await ok(
    'mutation ($t: ID!, $r: ID!, $rule: JSONObject!) { createAlarmRule(tenantId: $t, ruleId: $r, rule: $rule) { version } }',
    {
      t: B,
      r: real.ruleId,
      rule: {
        name: 'B charging',
        alarmType: 'Charging',
        scope: { siteId: real.siteId },
        severity: 'warning',
        condition: { field: 'connectors.1.transactionId', above: -1 },
      },
    },
  );
  await eventually(async () => {
    const d = await ok(
      'query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) { site { siteId } } }',
      {
        t: B,
        d: real.deviceId,
      },
    );
    return d.device?.site ? true : undefined;
  });

  // A power limit on B's site: its load manager hears the session below.
  await ok('mutation ($i: SetSiteLoadLimitInput!) { setSiteLoadLimit(input: $i) { limit } }', {
    i: { tenantId: B, siteId: real.siteId, limit: 22000, unit: 'W' },
  });

  // A charging session: B's device as an OCPP 1.6 station, start to stop.
  await chargeOnce(stack, B, real.deviceId, registered.registerDevice.token);

  // Everything settled before the walk: the graph projected, the session recorded and signed,
  // the rows of the bulk submitted, the rollout ended.
  await eventually(async () => {
    const d = await ok(
      `query ($t: ID!, $d: ID!, $b: ID!, $r: ID!) {
        device(tenantId: $t, deviceId: $d) { asset { assetId } }
        sessionRecords(tenantId: $t) { nodes { id } }
        ledgerCheckpoints(tenantId: $t) { seq }
        bulkProvisioning(tenantId: $t, bulkId: $b) { status }
        rollout(tenantId: $t, rolloutId: $r) { status }
        alarms(tenantId: $t) { nodes { alarmId } } }`,
      { t: B, d: real.deviceId, b: real.bulkId, r: real.rolloutId },
    );
    const done =
      d.device?.asset &&
      d.sessionRecords.nodes.length === 1 &&
      d.ledgerCheckpoints.length > 0 &&
      d.bulkProvisioning.status === 'SUBMITTED' &&
      d.rollout.status === 'COMPLETED' &&
      d.alarms.nodes.length === 1;
    if (done) real.sessionId = d.sessionRecords.nodes[0].id;
    if (done) real.alarmId = d.alarms.nodes[0].alarmId;
    return done ? true : undefined;
  }, 60_000);
  // Set last: it would be asked about the provisionings above.
  await ok('mutation ($i: SetAdmissionHookInput!) { setAdmissionHook(input: $i) { url } }', {
    i: { tenantId: B, url: receiver.url, secret: 'b'.repeat(32) },
  });
  missing = Object.fromEntries(Object.entries(real).map(([k, v]) => [k, sameShape(v)])) as Ids;
}

/** B's whole state as its own queries show it. */
async function state() {
  const answers: Record<string, unknown> = {};
  for (const field of rootFields(schema).query) {
    if (field.name === 'me' || field.name === 'node') continue;
    const { query, variables } = request('query', field, B, real);
    answers[field.name] = (await graphqlOk(stack.apiUrl, query, variables))[field.name];
  }
  return answers;
}

/** B's state once nothing changes any more (a second apart), as after its objects settle. */
function settledState() {
  let last = '';
  return eventually(async () => {
    const now = await state();
    const same = JSON.stringify(now) === last;
    last = JSON.stringify(now);
    if (!same) await new Promise((r) => setTimeout(r, 1_000));
    return same ? now : undefined;
  }, 60_000);
}

beforeAll(async () => {
  // A walks every query, mutation and subscription three ways, more requests than a caller's
  // burst (200): its later subscriptions would be refused as rate-limited, by timing, not by
  // tenant — the limit is tested in test/audit-flooding.test.ts, not here.
  stack = await startTestStack({ rateLimit: { perSecond: 1_000, burst: 100_000 } });
  receiver = await startWebhookReceiver();
  await makeTenantB();
  await settledState();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await receiver?.stop();
});

describe('two tenants', () => {
  const fields = rootFields(schema);
  const queries = fields.query.filter((f) => f.name !== 'me' && f.name !== 'node');

  it("answers every query about another tenant's objects exactly as about missing ones, and B sees each of its own", async () => {
    const asA = await bearer('tenant-admin', A);
    const asB = await bearer('tenant-admin', B);
    const ask = async (
      as: Record<string, string>,
      field: GraphQLField<unknown, unknown>,
      tenantId: string,
      ids: Ids,
    ) => {
      const { query, variables } = request('query', field, tenantId, ids);
      return graphql(stack.apiUrl, query, variables, as);
    };
    for (const field of queries) {
      // From B's own side, the request shows B's object, and differs from one for nothing:
      // the walk would see a leak.
      const own = await ask(asB, field, B, real);
      expect(own.errors, field.name).toBeUndefined();
      expect(hasContent(own.data?.[field.name]), `${field.name}: ${JSON.stringify(own)}`).toBe(
        true,
      );
      const ownMissing = await ask(asB, field, NOBODY, missing);
      if (INSTALLATION_WIDE.has(field.name)) {
        // The same for every tenant, so the same for A as for B, and no tenant's to leak.
        expect(shape(own), field.name).toEqual(shape(ownMissing));
        expect(shape(await ask(asA, field, B, real)), field.name).toEqual(shape(own));
        continue;
      }
      expect(shape(own), field.name).not.toEqual(shape(ownMissing));
      // From A's side: B's real objects, B's missing ones and a tenant nobody has, alike.
      const onReal = shape(await ask(asA, field, B, real));
      expect(onReal, field.name).not.toEqual(shape(own));
      expect(onReal, field.name).toEqual(shape(await ask(asA, field, B, missing)));
      expect(onReal, field.name).toEqual(shape(await ask(asA, field, NOBODY, missing)));
    }
  });

  it('finds no node of another tenant by its global id', async () => {
    const asA = await bearer('viewer', A);
    const asB = await bearer('viewer', B);
    const NODE = 'query ($id: ID!) { node(id: $id) { __typename } }';
    for (const [type, id] of [
      ['Device', real.deviceId],
      ['Asset', real.assetId],
      ['Site', real.siteId],
      ['Customer', real.customerId],
    ] as const) {
      const res = await graphql(stack.apiUrl, NODE, { id: globalId(type, B, id) }, asA);
      expect(res, type).toEqual({ data: { node: null } });
      const own = await graphql(stack.apiUrl, NODE, { id: globalId(type, B, id) }, asB);
      expect(own.data.node, type).toEqual({ __typename: type });
    }
  });

  it("refuses every mutation on another tenant's objects exactly as on missing ones, and changes nothing", async () => {
    const asA = await bearer('tenant-admin', A);
    const before = await settledState();
    for (const field of fields.mutation) {
      const ask = async (tenantId: string, ids: Ids) => {
        const { query, variables } = request('mutation', field, tenantId, ids);
        return graphql(stack.apiUrl, query, variables, asA);
      };
      const onReal = await ask(B, real);
      expect(
        onReal.errors?.map((e) => e.extensions?.code),
        field.name,
      ).toEqual(['api:tenant.not-found']);
      expect(shape(onReal), field.name).toEqual(shape(await ask(B, missing)));
      expect(shape(onReal), field.name).toEqual(shape(await ask(NOBODY, missing)));
    }
    expect(await state()).toEqual(before);
  });

  it('walks every subscription: A hears nothing of B, B hears its own, and a refusal tells nothing', async () => {
    const asA = await bearer('tenant-admin', A);
    const asB = await bearer('tenant-admin', B);
    type Sub = ReturnType<typeof wsSubscription>;
    const open: Array<{ name: string; who: 'A' | 'B'; variant: string; sub: Sub }> = [];
    const subscribe = (
      who: 'A' | 'B',
      variant: string,
      field: GraphQLField<unknown, unknown>,
      tenantId: string,
      ids: Ids | null,
      extra: Record<string, unknown> = {},
    ) => {
      const { query, variables } = ids
        ? request('subscription', field, tenantId, ids, extra)
        : requestFor('subscription', field, { tenantId, rolloutId: real.rolloutId, ...extra });
      const sub = wsSubscription(stack.apiUrl, query, variables, who === 'A' ? asA : asB);
      open.push({ name: field.name, who, variant, sub });
      return sub;
    };
    try {
      // Every subscription, narrowed to B's objects and tenant-wide, from both sides.
      for (const field of fields.subscription) {
        subscribe('A', 'real', field, B, real);
        subscribe('A', 'tenant', field, B, null);
        subscribe('A', 'missing', field, B, missing);
        subscribe('A', 'nobody', field, NOBODY, missing);
        subscribe('B', 'real', field, B, real);
        subscribe('B', 'tenant', field, B, null);
      }
      // B changes its device, its lifecycle and its asset until each of B's own subscriptions
      // has heard something (so they, and A's opened before them, are live).
      const states = ['ACTIVE', 'MAINTENANCE'];
      let round = 0;
      const changeB = async () => {
        round++;
        await ok('mutation ($i: SetDeviceTagsInput!) { setDeviceTags(input: $i) { version } }', {
          i: { tenantId: B, deviceId: real.deviceId, tags: [`round-${round}`] },
        });
        await ok(
          'mutation ($i: TransitionDeviceInput!) { transitionDevice(input: $i) { version } }',
          {
            i: {
              tenantId: B,
              deviceId: real.deviceId,
              to: states[round % 2],
              reason: 'b only',
            },
          },
        );
        await ok(
          'mutation ($i: SetAssetAttributesInput!) { setAssetAttributes(input: $i) { __typename } }',
          { i: { tenantId: B, assetId: real.assetId, attributes: { round } } },
        );
        // B's alarm moves too (an assignment is an alarm event).
        await ok(
          'mutation ($t: ID!, $a: ID!, $who: String) { assignAlarm(tenantId: $t, alarmId: $a, assignee: $who) { alarmId } }',
          { t: B, a: real.alarmId, who: `b-ops-${round}` },
        );
      };
      const bHeard = () =>
        open.filter((s) => s.who === 'B').every((s) => s.sub.payloads.length > 0);
      await eventually(async () => (await changeB(), bHeard() ? true : undefined), 30_000);
      // One more round once everyone is listening, then the same cursors replayed.
      await changeB();
      await eventually(async () =>
        open
          .filter((s) => s.who === 'B' && s.variant === 'tenant' && s.name === 'deviceChanged')
          .every((s) =>
            s.sub.payloads.some(
              (p) => p.data?.deviceChanged?.device?.tags?.[0] === `round-${round}`,
            ),
          )
          ? true
          : undefined,
      );
      const cursorOfB = open.find(
        (s) => s.who === 'B' && s.variant === 'tenant' && s.name === 'deviceChanged',
      )!.sub.payloads[0]!.data.deviceChanged.cursor as string;
      expect(cursorOfB).toEqual(expect.any(String));
      for (const field of fields.subscription.filter((f) =>
        f.args.some((a) => a.name === 'after'),
      )) {
        subscribe('A', 'replay', field, B, null, { after: cursorOfB });
        subscribe('A', 'replay-own', field, A, null, { after: cursorOfB });
        subscribe('B', 'replay', field, B, null, { after: cursorOfB });
      }
      await eventually(async () => (bHeard() ? true : undefined));

      const heard = (sub: Sub) => shape([sub.payloads, sub.refusals.map(String)]);
      const subOf = (name: string, who: string, variant: string) =>
        open.find((s) => s.who === who && s.variant === variant && s.name === name)!.sub;
      // A's refusals come asynchronously: wait (bounded) until A's variants agree, so that what
      // is compared below is what A was told, not what had arrived by then.
      await eventually(async () =>
        fields.subscription.every((f) => {
          const a = (variant: string) => heard(subOf(f.name, 'A', variant));
          return (
            a('real') === a('missing') && a('real') === a('nobody') && a('tenant') === a('nobody')
          );
        })
          ? true
          : undefined,
      ).catch(() => undefined);
      for (const field of fields.subscription) {
        const of = (who: string, variant: string) => subOf(field.name, who, variant);
        // B hears its own objects on every subscription, so A could have.
        expect(hasContent(of('B', 'real').payloads.map((p) => p.data)), field.name).toBe(true);
        // A: nothing of B, and nothing that tells B's objects from missing ones.
        for (const s of open.filter((o) => o.who === 'A' && o.name === field.name))
          expect(JSON.stringify(s.sub.payloads), `${field.name} ${s.variant}`).not.toContain(B);
        expect(heard(of('A', 'real')), field.name).toEqual(heard(of('A', 'missing')));
        expect(heard(of('A', 'real')), field.name).toEqual(heard(of('A', 'nobody')));
        expect(heard(of('A', 'tenant')), field.name).toEqual(heard(of('A', 'nobody')));
        expect(heard(of('A', 'real')), field.name).not.toEqual(heard(of('B', 'real')));
      }
      // A rollout's progress: B sees it, A is told what it is told of a rollout nobody has.
      const progress = (who: 'A' | 'B', variant: string) =>
        open.find((s) => s.who === who && s.variant === variant && s.name === 'rolloutProgress')!
          .sub.payloads;
      expect(progress('B', 'real')[0]?.data?.rolloutProgress).toMatchObject({
        rolloutId: real.rolloutId,
        status: 'COMPLETED',
      });
      const refusal = (who: 'A' | 'B', variant: string) =>
        open
          .find((s) => s.who === who && s.variant === variant && s.name === 'rolloutProgress')!
          .sub.refusals.flatMap((r) => (Array.isArray(r) ? r : [r]))
          .map((e: any) => e.extensions?.code ?? String(e));
      expect(progress('A', 'real')).toEqual([]);
      expect(refusal('A', 'real')).toEqual(['rollout:not-found']);
      expect(refusal('B', 'real')).toEqual([]);
      // Replays from one of B's cursors: B's own again for B, never for A (in B or its own).
      const replays = open.filter((s) => s.variant.startsWith('replay'));
      expect(replays.length).toBeGreaterThan(0);
      for (const s of replays) {
        const text = JSON.stringify(s.sub.payloads);
        if (s.who === 'B') expect(text, s.name).toContain(B);
        else expect(text, `${s.name} ${s.variant}`).not.toContain(B);
      }
    } finally {
      await Promise.all(open.map((s) => s.sub.close()));
    }
  });

  it("leads A nowhere with a cursor of B's newest-first listing: after it, A's own rollouts are as after a cursor of nothing", async () => {
    const asA = await bearer('tenant-admin', A);
    const asB = await bearer('tenant-admin', B);
    const LIST = `query ($t: ID!, $after: String) {
      rollouts(tenantId: $t, first: 1, after: $after) { totalCount nodes { rolloutId } pageInfo { endCursor } } }`;
    // A's rollout is older than B's newest: read in A's tenant, B's cursor would cut before it.
    await startEmptyRollout(stack, A, 'rollout-a');
    await startEmptyRollout(stack, B, 'rollout-b-newer');
    const ofB = await graphql(stack.apiUrl, LIST, { t: B }, asB);
    expect(ofB.data.rollouts.nodes).toEqual([{ rolloutId: 'rollout-b-newer' }]);
    const own = await graphql(stack.apiUrl, LIST, { t: A }, asA);
    expect(own.data.rollouts.nodes).toEqual([{ rolloutId: 'rollout-a' }]);
    const afterB = await graphql(
      stack.apiUrl,
      LIST,
      { t: A, after: ofB.data.rollouts.pageInfo.endCursor },
      asA,
    );
    const afterNothing = await graphql(
      stack.apiUrl,
      LIST,
      { t: A, after: encodeCursor(missing.rolloutId) },
      asA,
    );
    expect(afterB).toEqual(afterNothing);
    expect(afterB.data.rollouts.nodes).toEqual([]);
  });
});
