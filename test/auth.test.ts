import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, TENANT_ROLES, type Role } from '../graphql/auth/roles';
import { schema } from '../graphql/schema';
import { bearer, TEST_JWT_SECRET } from './support/auth';
import { signToken } from '../graphql/auth/dev-token';
import { eventually, graphql } from './support/graphql';
import { requestFor, rootFields } from './support/schema-walk';
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

  it('lets a reading role subscribe and refuses a subscription to no one with a tenant role', async () => {
    for (const role of TENANT_ROLES) {
      const tenantId = uniqueTenant(`sub-${role}`);
      const event = await firstEvent(
        await bearer(role, tenantId),
        'subscription ($t: ID!) { deviceChanged(tenantId: $t) { kind device { deviceId } } }',
        { t: tenantId },
        () =>
          eventually(async () => {
            const res = await graphql(
              stack.apiUrl,
              'mutation ($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }',
              { i: { tenantId, deviceId: 'sub-probe' } },
            );
            return res.errors ? undefined : true;
          }),
      );
      expect(event.data?.deviceChanged, role).toMatchObject({
        kind: 'registered',
        device: { deviceId: 'sub-probe' },
      });
    }
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
