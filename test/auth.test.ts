import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, TENANT_ROLES, type Role } from '../graphql/auth/roles';
import { schema } from '../graphql/schema';
import { bearer, TEST_JWT_SECRET } from './support/auth';
import { signToken } from '../graphql/auth/dev-token';
import { eventually, graphql, sseSubscription } from './support/graphql';
import { chargeOnce, startEmptyRollout } from './support/fleet-objects';
import {
  hasContent,
  narrowerNestedFields,
  pathsTo,
  requestFor,
  rootFields,
  selection,
  valuesAt,
} from './support/schema-walk';
import { wsSubscription } from './support/ws-subscription';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const codesOf = (res: { errors?: Array<{ extensions?: { code?: string } }> }) =>
  (res.errors ?? []).map((e) => e.extensions?.code ?? 'none');

/** The first answer of a subscription over graphql-ws with these credentials (or its refusal). */
function firstEvent(
  authorization: Record<string, string>,
  query: string,
  variables: Record<string, unknown>,
  then: () => Promise<unknown> = async () => {},
) {
  const client = createClient({
    url: stack.apiUrl.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: authorization,
    retryAttempts: 0,
  });
  return new Promise<{ data?: any; errors?: any[]; closed?: number }>((resolve) => {
    let done = false;
    const finish = (v: { data?: any; errors?: any[]; closed?: number }) => {
      if (done) return;
      done = true;
      Promise.resolve(client.dispose()).catch(() => {});
      resolve(v);
    };
    client.on('closed', (event: any) => finish({ closed: event?.code }));
    client.on('connected', () => void then());
    client.subscribe(
      { query, variables },
      {
        next: (v) => finish(v as any),
        error: (e: any) => finish(Array.isArray(e) ? { errors: e } : { closed: e?.code }),
        complete: () => finish({}),
      },
    );
  });
}

/** A subscription refused when it starts: one answer with the error and no data, then the end. */
async function refusedAtStart(sub: ReturnType<typeof wsSubscription>, where: string) {
  await eventually(async () => (sub.completed() ? true : undefined));
  expect(sub.refusals, where).toEqual([]);
  expect(
    sub.payloads.map((p) => [p.data, codesOf(p)]),
    where,
  ).toEqual([[undefined, ['api:forbidden']]]);
}

describe('authentication', () => {
  it('refuses a request without credentials, with a bad token, an expired one or a revoked API key', async () => {
    const me = '{ me { actor role tenantId } }';
    expect(codesOf(await graphql(stack.apiUrl, me, {}, {}))).toEqual(['api:unauthenticated']);
    const garbage = await graphql(stack.apiUrl, me, {}, { authorization: 'Bearer nope' });
    expect(codesOf(garbage)).toEqual(['api:unauthenticated']);
    const foreign = await signToken('another-secret-of-at-least-32-bytes!!', {
      sub: 'mallory',
      role: 'platform-admin',
    });
    const forged = await graphql(stack.apiUrl, me, {}, { authorization: `Bearer ${foreign}` });
    expect(codesOf(forged)).toEqual(['api:unauthenticated']);
    const expired = await signToken(
      TEST_JWT_SECRET,
      { sub: 'late', role: 'viewer', tenant: 'acme' },
      { expiresIn: '-1m' },
    );
    const late = await graphql(stack.apiUrl, me, {}, { authorization: `Bearer ${expired}` });
    expect(late.errors?.[0]).toMatchObject({
      message: 'the token has expired',
      extensions: { code: 'api:unauthenticated' },
    });
    const noTenant = await signToken(TEST_JWT_SECRET, { sub: 'x', role: 'operator' });
    expect(
      codesOf(await graphql(stack.apiUrl, me, {}, { authorization: `Bearer ${noTenant}` })),
    ).toEqual(['api:unauthenticated']);

    const ws = await firstEvent(
      {},
      'subscription { deviceChanged(tenantId: "acme") { kind } }',
      {},
    );
    expect(ws.closed).toBe(4401);
  });

  it('knows a JWT user and an API key, and refuses a key at once when it is revoked', async () => {
    const tenantId = uniqueTenant('keys');
    const admin = await bearer('tenant-admin', tenantId, 'alice');
    const me = await graphql(stack.apiUrl, '{ me { actor role tenantId } }', {}, admin);
    expect(me.data.me).toEqual({ actor: 'user:alice', role: 'TENANT_ADMIN', tenantId });

    const created = await graphql(
      stack.apiUrl,
      `
        mutation ($i: CreateApiKeyInput!) {
          createApiKey(input: $i) {
            key
            apiKey {
              keyId
              role
              createdBy
              revokedAt
            }
          }
        }
      `,
      { i: { tenantId, name: 'billing partner', role: 'PARTNER' } },
      admin,
    );
    expect(created.errors).toBeUndefined();
    const { key, apiKey } = created.data.createApiKey;
    expect(apiKey).toMatchObject({ role: 'PARTNER', createdBy: 'user:alice', revokedAt: null });
    const partner = { authorization: `Bearer ${key}` };
    const asPartner = await graphql(stack.apiUrl, '{ me { actor role tenantId } }', {}, partner);
    expect(asPartner.data.me).toEqual({
      actor: `key:${apiKey.keyId}`,
      role: 'PARTNER',
      tenantId,
    });
    // Only a hash is kept: the listing never shows the key.
    const listed = await graphql(
      stack.apiUrl,
      'query ($t: ID!) { apiKeys(tenantId: $t) { keyId name } }',
      { t: tenantId },
      admin,
    );
    expect(listed.data.apiKeys).toEqual([{ keyId: apiKey.keyId, name: 'billing partner' }]);
    expect(JSON.stringify(listed)).not.toContain(key.slice('dpk_'.length + 17));
    const noAdminKey = await graphql(
      stack.apiUrl,
      `
        mutation ($i: CreateApiKeyInput!) {
          createApiKey(input: $i) {
            key
          }
        }
      `,
      { i: { tenantId, name: 'root', role: 'PLATFORM_ADMIN' } },
      admin,
    );
    expect(codesOf(noAdminKey)).toEqual(['api:input.invalid-role']);

    const revoked = await graphql(
      stack.apiUrl,
      'mutation ($t: ID!, $k: ID!) { revokeApiKey(tenantId: $t, keyId: $k) { revokedAt } }',
      { t: tenantId, k: apiKey.keyId },
      admin,
    );
    expect(revoked.data.revokeApiKey.revokedAt).toEqual(expect.any(String));
    expect(codesOf(await graphql(stack.apiUrl, '{ me { actor } }', {}, partner))).toEqual([
      'api:unauthenticated',
    ]);
    const tampered = `${key.slice(0, -2)}${key.endsWith('A') ? 'BB' : 'AA'}`;
    expect(
      codesOf(
        await graphql(
          stack.apiUrl,
          '{ me { actor } }',
          {},
          { authorization: `Bearer ${tampered}` },
        ),
      ),
    ).toEqual(['api:unauthenticated']);
  });
});

describe('roles', () => {
  const fields = rootFields(schema);

  it('has a rule for every root field, and nothing else', () => {
    for (const [type, list] of [
      ['Query', fields.query],
      ['Mutation', fields.mutation],
      ['Subscription', fields.subscription],
    ] as const) {
      expect(Object.keys(PERMISSIONS[type]!).sort()).toEqual(list.map((f) => f.name).sort());
    }
  });

  it('allows and refuses each query and mutation for each role, exactly as the rules say, and records every mutation', async () => {
    const roles: Role[] = [...TENANT_ROLES];
    const outcomes: string[] = [];
    for (const role of roles) {
      const tenantId = uniqueTenant(role);
      const as = await bearer(role, tenantId, `${role}-walker`);
      for (const [operation, type, list] of [
        ['query', 'Query', fields.query],
        ['mutation', 'Mutation', fields.mutation],
      ] as const) {
        for (const field of list) {
          const ids = { tenantId, id: Buffer.from(`Device:${tenantId}:nobody`).toString('base64') };
          const { query, variables } = requestFor(operation, field, ids, 1);
          const res = await graphql(stack.apiUrl, query, variables, as);
          const allowed = PERMISSIONS[type]![field.name]!.includes(role as never);
          const codes = codesOf(res);
          if (allowed) {
            expect(codes, `${role} ${field.name}`).not.toContain('api:forbidden');
            expect(codes, `${role} ${field.name}`).not.toContain('api:tenant.not-found');
          } else {
            expect(codes, `${role} ${field.name}`).toEqual(['api:forbidden']);
            expect(res.data?.[field.name] ?? null).toBeNull();
          }
          outcomes.push(`${role} ${field.name} ${allowed ? 'allowed' : 'refused'}`);
        }
      }
      // Every mutation this role tried is in its tenant's audit trail, refused ones too.
      const audit = await graphql(
        stack.apiUrl,
        'query ($t: ID!) { auditEntries(tenantId: $t, filter: { api: true }, first: 100) { nodes { actor role operation outcome input } } }',
        { t: tenantId },
      );
      expect(audit.errors).toBeUndefined();
      const entries = audit.data.auditEntries.nodes as Array<Record<string, any>>;
      expect(entries.map((e) => e.operation).sort()).toEqual(
        fields.mutation.map((f) => f.name).sort(),
      );
      for (const entry of entries) {
        expect(entry.actor).toBe(`user:${role}-walker`);
        expect(entry.role).toBe(role);
        const allowed = PERMISSIONS.Mutation![entry.operation]!.includes(role as never);
        if (!allowed) expect(entry.outcome).toBe('api:forbidden');
        else expect(entry.outcome).not.toBe('api:forbidden');
      }
    }
    // Each role is refused something and allowed something (no rule table of all-or-nothing).
    for (const role of roles) {
      expect(outcomes.filter((o) => o.startsWith(`${role} `) && o.endsWith('allowed'))).not.toEqual(
        [],
      );
    }
  });
});

describe('nested fields and subscriptions, for each role', () => {
  const fields = rootFields(schema);
  const tenantId = uniqueTenant('nested');
  const ids = {
    tenantId,
    deviceId: 'cp-1',
    customerId: 'cust-1',
    siteId: 'site-1',
    assetId: 'bay-1',
    rolloutId: 'fw-1',
    id: '',
    alarmId: '',
  };
  const admin = (query: string, variables: Record<string, unknown>) =>
    graphql(stack.apiUrl, query, variables).then((res) => {
      expect(res.errors, query).toBeUndefined();
      return res.data;
    });
  const nested = narrowerNestedFields(schema, PERMISSIONS.Query!, TENANT_ROLES);

  beforeAll(async () => {
    const token = (
      await admin('mutation ($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }', {
        i: { tenantId, deviceId: ids.deviceId },
      })
    ).registerDevice.token;
    await admin(
      'mutation ($i: CreateCustomerInput!) { createCustomer(input: $i) { __typename } }',
      {
        i: { tenantId, customerId: ids.customerId, name: 'C' },
      },
    );
    await admin('mutation ($i: CreateSiteInput!) { createSite(input: $i) { __typename } }', {
      i: { tenantId, siteId: ids.siteId, customerId: ids.customerId, name: 'S' },
    });
    await admin('mutation ($i: CreateAssetInput!) { createAsset(input: $i) { __typename } }', {
      i: { tenantId, assetId: ids.assetId, siteId: ids.siteId, name: 'A' },
    });
    await admin('mutation ($i: BindDeviceInput!) { bindDevice(input: $i) { __typename } }', {
      i: { tenantId, assetId: ids.assetId, deviceId: ids.deviceId },
    });
    await startEmptyRollout(stack, tenantId, ids.rolloutId);
    // An alarm raised by the charging session below (a transaction on connector 1 at the site),
    // for the alarm events' subscription.
    await admin(
      'mutation ($t: ID!, $r: ID!, $rule: JSONObject!) { createAlarmRule(tenantId: $t, ruleId: $r, rule: $rule) { version } }',
      {
        t: tenantId,
        r: 'charging',
        rule: {
          name: 'charging',
          alarmType: 'Charging',
          scope: { siteId: ids.siteId },
          severity: 'warning',
          condition: { field: 'connectors.1.transactionId', above: -1 },
        },
      },
    );
    await eventually(async () => {
      const d = await admin(
        'query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) { site { siteId } } }',
        { t: tenantId, d: ids.deviceId },
      );
      return d.device?.site ? true : undefined;
    });
    await chargeOnce(stack, tenantId, ids.deviceId, token);
    ids.id = await eventually(async () => {
      const d = await admin(
        `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) { asset { assetId } }
          sessionRecords(tenantId: $t) { nodes { id } } alarms(tenantId: $t) { nodes { alarmId } } }`,
        { t: tenantId, d: ids.deviceId },
      );
      ids.alarmId = d.alarms.nodes[0]?.alarmId ?? '';
      return d.device?.asset && ids.alarmId && d.sessionRecords.nodes[0]?.id;
    }, 30_000);
  }, 60_000);

  it('finds the nested fields that read what a root field gates', () => {
    expect(nested.map((n) => `${n.parent}.${n.field.name} (${n.root})`).sort()).toEqual([
      'Asset.auditEntries (auditEntries)',
      'Device.auditEntries (auditEntries)',
      'Site.auditEntries (auditEntries)',
    ]);
  });

  it('refuses each such field to every role its root field refuses, on every path to it', async () => {
    let walked = 0;
    for (const role of TENANT_ROLES) {
      const as = await bearer(role, tenantId);
      for (const n of nested) {
        const allowed = PERMISSIONS.Query![n.root]!.includes(role);
        const paths = pathsTo(fields.query, n.parent);
        expect(paths.length, n.parent).toBeGreaterThan(2);
        for (const { start, steps } of paths) {
          if (!PERMISSIONS.Query![start.name]!.includes(role)) continue;
          const inner = `{ ${n.field.name} ${selection(n.field.type, 2)} }`;
          const select = steps.reduceRight((sel, step) => `{ ${step} ${sel} }`, inner);
          const { query, variables } = requestFor('query', start, ids, 1, select);
          const res = await graphql(stack.apiUrl, query, variables, as);
          const reached = valuesAt(res.data, [start.name, ...steps]);
          const values = valuesAt(res.data, [start.name, ...steps, n.field.name]);
          const where = `${role} ${start.name}.${[...steps, n.field.name].join('.')}`;
          if (allowed) {
            expect(res.errors, where).toBeUndefined();
            expect(hasContent(values), where).toBe(true);
          } else {
            expect(res.errors ?? [], where).not.toEqual([]);
            for (const e of res.errors as any[]) {
              expect(e.extensions?.code, where).toBe('api:forbidden');
              expect(e.path.at(-1), where).toBe(n.field.name);
            }
            expect(hasContent(values), where).toBe(false);
            // Refused as a field, not by cutting the request short: the way to it answered.
            expect(reached.length + (res.errors?.length ?? 0), where).toBeGreaterThan(0);
          }
          walked++;
        }
      }
    }
    expect(walked).toBeGreaterThan(TENANT_ROLES.length * 6);
  });

  it('serves every subscription to the roles its rule allows, refuses it to the others, and refuses a gated field inside it', async () => {
    let round = 0;
    /** What makes each subscription speak: a new field here needs its trigger. */
    const TRIGGERS: Record<string, () => Promise<unknown>> = {
      deviceChanged: () =>
        admin('mutation ($i: SetDeviceTagsInput!) { setDeviceTags(input: $i) { version } }', {
          i: { tenantId, deviceId: ids.deviceId, tags: [`r${++round}`] },
        }),
      lifecycleChanged: () =>
        admin('mutation ($i: TransitionDeviceInput!) { transitionDevice(input: $i) { version } }', {
          i: {
            tenantId,
            deviceId: ids.deviceId,
            to: ++round % 2 ? 'MAINTENANCE' : 'ACTIVE',
            reason: 'walk',
          },
        }),
      assetChanged: () =>
        admin(
          'mutation ($i: SetAssetAttributesInput!) { setAssetAttributes(input: $i) { __typename } }',
          { i: { tenantId, assetId: ids.assetId, attributes: { round: ++round } } },
        ),
      // A rollout's progress starts with the rollout as it is.
      rolloutProgress: async () => {},
      alarmEvents: () =>
        admin(
          'mutation ($t: ID!, $a: ID!, $who: String) { assignAlarm(tenantId: $t, alarmId: $a, assignee: $who) { alarmId } }',
          { t: tenantId, a: ids.alarmId, who: `ops-${++round}` },
        ),
    };
    expect(Object.keys(TRIGGERS).sort()).toEqual(fields.subscription.map((f) => f.name).sort());
    let refusedNested = 0;
    for (const role of TENANT_ROLES) {
      const as = await bearer(role, tenantId);
      for (const field of fields.subscription) {
        const allowed = PERMISSIONS.Subscription![field.name]!.includes(role);
        // The payload with each gated field it can reach, where it can reach one.
        const reach = nested.flatMap((n) =>
          pathsTo([field], n.parent, 1).map((p) => ({ ...p, n })),
        );
        const gated = reach.map(({ steps, n }) =>
          steps.reduceRight(
            (sel, step) => `${step} { ${sel} }`,
            `${n.field.name} ${selection(n.field.type, 2)}`,
          ),
        );
        const select = `{ __typename ${gated.join(' ')} ${selection(field.type, 1).slice(1, -1)} }`;
        const { query, variables } = requestFor('subscription', field, ids, 1, select);
        const sub = wsSubscription(stack.apiUrl, query, variables, as);
        const where = `${role} ${field.name}`;
        try {
          if (!allowed) {
            await refusedAtStart(sub, where);
            continue;
          }
          const first = await eventually(async () => {
            if (sub.payloads.length === 0) await TRIGGERS[field.name]!();
            return sub.payloads[0];
          });
          expect(sub.refusals, where).toEqual([]);
          // A refused field that may not be null takes its parents with it, as GraphQL says.
          if (reach.every(({ n }) => PERMISSIONS.Query![n.root]!.includes(role)))
            expect(first.data?.[field.name], where).toBeTruthy();
          else expect(first.errors ?? [], where).not.toEqual([]);
          for (const { steps, n } of reach) {
            const values = valuesAt(first.data, [field.name, ...steps, n.field.name]);
            if (PERMISSIONS.Query![n.root]!.includes(role)) {
              expect(first.errors, where).toBeUndefined();
              expect(hasContent(values), `${where} ${n.field.name}`).toBe(true);
            } else {
              expect(
                (first.errors ?? []).map((e: any) => [e.extensions?.code, e.path.at(-1)]),
                where,
              ).toContainEqual(['api:forbidden', n.field.name]);
              expect(hasContent(values), `${where} ${n.field.name}`).toBe(false);
              refusedNested++;
            }
          }
        } finally {
          await sub.close();
        }
      }
    }
    // The walk met refusals (each role but tenant-admin, on each change subscription).
    expect(refusedNested).toBeGreaterThanOrEqual(3 * (TENANT_ROLES.length - 1));
  });

  it('refuses a subscription to a role its rule leaves out, over graphql-ws and SSE, and serves it again when the rule allows', async () => {
    // Today every role may subscribe to everything; narrowed here, the guard must refuse.
    const saved = { ...PERMISSIONS.Subscription! };
    try {
      for (const field of fields.subscription) {
        PERMISSIONS.Subscription![field.name] = ['tenant-admin'];
        const { query, variables } = requestFor('subscription', field, ids, 1);
        for (const role of TENANT_ROLES.filter((r) => r !== 'tenant-admin')) {
          const as = await bearer(role, tenantId);
          const where = `${role} ${field.name}`;
          const sub = wsSubscription(stack.apiUrl, query, variables, as);
          try {
            await refusedAtStart(sub, where);
          } finally {
            await sub.close();
          }
          const sse = await sseSubscription(stack.apiUrl, query, variables, (e) => e, as);
          await sse.ended;
          expect(
            sse.events.map((e) => e.errors?.[0]?.extensions?.code),
            where,
          ).toEqual(['api:forbidden']);
        }
        PERMISSIONS.Subscription![field.name] = saved[field.name]!;
      }
    } finally {
      Object.assign(PERMISSIONS.Subscription!, saved);
    }
    // With the rules as they are, the same request is served.
    const rollout = fields.subscription.find((f) => f.name === 'rolloutProgress')!;
    const { query, variables } = requestFor('subscription', rollout, ids, 1);
    const served = await sseSubscription(
      stack.apiUrl,
      query,
      variables,
      (e) => e,
      await bearer('partner', tenantId),
    );
    await served.ended;
    expect(served.events[0]?.data?.rolloutProgress?.rolloutId).toBe(ids.rolloutId);
  });
});

describe('the installer role', () => {
  it('provisions, but may not retire, command or change what a device should be', async () => {
    const tenantId = uniqueTenant('install');
    const installer = await bearer('installer', tenantId);
    const provisioned = await graphql(
      stack.apiUrl,
      `
        mutation ($i: ProvisionDeviceInput!) {
          provisionDevice(input: $i) {
            created
            workflowId
          }
        }
      `,
      { i: { tenantId, serial: 'SN-1' } },
      installer,
    );
    expect(provisioned.errors).toBeUndefined();
    expect(provisioned.data.provisionDevice.created).toBe(true);
    const retire = await graphql(
      stack.apiUrl,
      `
        mutation ($i: RetireDeviceInput!) {
          retireDevice(input: $i) {
            workflowId
          }
        }
      `,
      { i: { tenantId, deviceId: 'SN-1', reason: 'no' } },
      installer,
    );
    expect(codesOf(retire)).toEqual(['api:forbidden']);
  });
});
