import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBackend } from '../db/backend-store';
import { eventually, graphql } from './support/graphql';
import { startTestStack, uniqueTenant, type TestStack } from './support/stack';

/** Backends as data through the real API and PostgreSQL. */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const FIELDS = `id kind url role enabled match { devices models } allowedActions replyTimeoutMs
  bufferLimit hasSecret version updatedAt`;
const REGISTER = `mutation ($i: RegisterBackendInput!) { registerBackend(input: $i) { ${FIELDS} } }`;
const UPDATE = `mutation ($i: UpdateBackendInput!) { updateBackend(input: $i) { ${FIELDS} } }`;
const REMOVE = `mutation ($t: ID!, $b: ID!) { removeBackend(tenantId: $t, backendId: $b) { removed } }`;
const LIST = `query ($t: ID!) { backends(tenantId: $t) { ${FIELDS} } }`;
const ONE = `query ($t: ID!, $b: ID!) { backend(tenantId: $t, backendId: $b) { ${FIELDS} } }`;

const OCPP_SECRET = 'csms-basic-password';
const WEBHOOK_SECRET = 'webhook-hmac-key-0123456789';
const csms = (tenantId: string, extra: Record<string, unknown> = {}) => ({
  tenantId,
  id: 'csms',
  kind: 'OCPP',
  url: 'wss://csms.example.com/ocpp/',
  role: 'PRIMARY',
  allowedActions: ['Reset', 'RemoteStartTransaction'],
  secret: OCPP_SECRET,
  ...extra,
});
const hook = (tenantId: string, extra: Record<string, unknown> = {}) => ({
  tenantId,
  id: 'hook',
  kind: 'WEBHOOK',
  url: 'https://hooks.example.com/doppel',
  secret: WEBHOOK_SECRET,
  ...extra,
});

async function register(input: Record<string, unknown>) {
  const res = await graphql(stack.apiUrl, REGISTER, { i: input });
  expect(res.errors).toBeUndefined();
  return res.data.registerBackend;
}

/** The one error of a refused request, with its code. */
async function refusal(query: string, variables: Record<string, unknown>) {
  const res = await graphql(stack.apiUrl, query, variables);
  expect(res.data?.registerBackend ?? res.data?.updateBackend ?? null).toBeNull();
  expect(res.errors).toHaveLength(1);
  return { code: res.errors![0]!.extensions?.code, message: res.errors![0]!.message };
}

describe('backends through the GraphQL API', () => {
  it('registers an OCPP primary and a webhook, lists them, and never shows a secret', async () => {
    const tenantId = uniqueTenant('be');
    const ocpp = await register(csms(tenantId));
    expect(ocpp).toMatchObject({
      id: 'csms',
      kind: 'OCPP',
      url: 'wss://csms.example.com/ocpp',
      role: 'PRIMARY',
      enabled: true,
      match: { devices: null, models: null },
      allowedActions: ['Reset', 'RemoteStartTransaction'],
      replyTimeoutMs: 10_000,
      bufferLimit: 1_000,
      hasSecret: true,
      version: 1,
    });
    expect(Date.parse(ocpp.updatedAt)).not.toBeNaN();
    const webhook = await register(hook(tenantId, { match: { models: ['AC-22'] } }));
    expect(webhook).toMatchObject({
      kind: 'WEBHOOK',
      role: null,
      match: { devices: null, models: ['AC-22'] },
      allowedActions: [],
      replyTimeoutMs: null,
      hasSecret: true,
    });

    const list = await graphql(stack.apiUrl, LIST, { t: tenantId });
    expect(list.errors).toBeUndefined();
    expect(list.data.backends.map((b: { id: string }) => b.id)).toEqual(['csms', 'hook']);
    const one = await graphql(stack.apiUrl, ONE, { t: tenantId, b: 'hook' });
    expect(one.data.backend).toEqual(webhook);
    for (const text of [JSON.stringify(list), JSON.stringify(one)]) {
      expect(text).not.toContain(OCPP_SECRET);
      expect(text).not.toContain(WEBHOOK_SECRET);
    }
    const asked = await graphql(
      stack.apiUrl,
      `
        query ($t: ID!) {
          backends(tenantId: $t) {
            secret
          }
        }
      `,
      {
        t: tenantId,
      },
    );
    expect(asked.data).toBeUndefined();
    expect(asked.errors![0]!.message).toContain('Cannot query field "secret"');
    expect((await graphql(stack.apiUrl, ONE, { t: tenantId, b: 'nope' })).data.backend).toBeNull();
  });

  it('refuses invalid definitions with a code and a readable reason', async () => {
    const tenantId = uniqueTenant('be');
    const wrongUrl = await refusal(REGISTER, {
      i: hook(tenantId, { url: 'ws://hooks.example.com' }),
    });
    expect(wrongUrl.code).toBe('routing:backend.invalid');
    expect(wrongUrl.message).toContain('an http:// or https:// URL');

    // A tenant's URL must not lead into Doppel's own network (loopback is allowed in tests).
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://10.0.0.7:8080/hook']) {
      const inside = await refusal(REGISTER, { i: hook(tenantId, { url }) });
      expect(inside.code, url).toBe('egress:forbidden');
      expect(inside.message).toContain('private or special-purpose address');
    }

    const shortSecret = await refusal(REGISTER, { i: hook(tenantId, { secret: 'short' }) });
    expect(shortSecret.code).toBe('routing:backend.invalid');
    expect(shortSecret.message).toContain('at least 16 characters');

    // A role belongs to OCPP backends only.
    const roleOnWebhook = await refusal(REGISTER, { i: hook(tenantId, { role: 'PRIMARY' }) });
    expect(roleOnWebhook.code).toBe('routing:backend.invalid');
    expect(roleOnWebhook.message).toContain('role');

    const unknownKind = await graphql(stack.apiUrl, REGISTER, {
      i: hook(tenantId, { kind: 'MQTT' }),
    });
    expect(unknownKind.data).toBeUndefined();
    expect(unknownKind.errors![0]!.message).toMatch(/"MQTT".*BackendKind/);

    const badId = await refusal(REGISTER, { i: hook(tenantId, { id: 'no spaces' }) });
    expect(badId.code).toBe('api:input.invalid-id');

    expect((await graphql(stack.apiUrl, LIST, { t: tenantId })).data.backends).toEqual([]);
  });

  it('allows one primary per station: an overlapping one is refused, a disjoint one accepted', async () => {
    const tenantId = uniqueTenant('be');
    await register(csms(tenantId, { id: 'north', match: { devices: ['cp-1', 'cp-2'] } }));
    const overlapping = await refusal(REGISTER, {
      i: csms(tenantId, { id: 'south', match: { devices: ['cp-2', 'cp-3'] } }),
    });
    expect(overlapping.code).toBe('routing:backend.primary-conflict');
    expect(overlapping.message).toContain('north');

    const disjoint = await register(csms(tenantId, { id: 'south', match: { devices: ['cp-3'] } }));
    expect(disjoint).toMatchObject({ id: 'south', role: 'PRIMARY', match: { devices: ['cp-3'] } });
    // A secondary may share stations with a primary.
    const copy = await register(csms(tenantId, { id: 'copy', role: 'SECONDARY', secret: null }));
    expect(copy).toMatchObject({ role: 'SECONDARY', hasSecret: false });
    const again = await refusal(REGISTER, { i: csms(tenantId, { id: 'north' }) });
    expect(again.code).toBe('routing:backend.exists');
  });

  it('updates over the stored definition: the secret stays, the version goes up, the kind is fixed', async () => {
    const tenantId = uniqueTenant('be');
    await register(hook(tenantId));
    const updated = await graphql(stack.apiUrl, UPDATE, {
      i: { tenantId, id: 'hook', enabled: false, bufferLimit: 50 },
    });
    expect(updated.errors).toBeUndefined();
    expect(updated.data.updateBackend).toMatchObject({
      url: 'https://hooks.example.com/doppel',
      enabled: false,
      bufferLimit: 50,
      hasSecret: true,
      version: 2,
    });
    expect((await findBackend(stack.database, tenantId, 'hook'))?.backend.secret).toBe(
      WEBHOOK_SECRET,
    );

    const newSecret = 'another-hmac-key-9876543210';
    await graphql(stack.apiUrl, UPDATE, { i: { tenantId, id: 'hook', secret: newSecret } });
    const stored = await findBackend(stack.database, tenantId, 'hook');
    expect(stored).toMatchObject({ version: 3, backend: { secret: newSecret, bufferLimit: 50 } });

    const kind = await refusal(UPDATE, { i: { tenantId, id: 'hook', kind: 'OCPP' } });
    expect(kind.code).toBe('routing:backend.kind-immutable');
    expect(kind.message).toContain('remove it');
    const invalid = await refusal(UPDATE, { i: { tenantId, id: 'hook', url: 'not a url' } });
    expect(invalid.code).toBe('routing:backend.invalid');
    const unknown = await refusal(UPDATE, { i: { tenantId, id: 'ghost', enabled: true } });
    expect(unknown.code).toBe('routing:backend.unknown');
    expect((await findBackend(stack.database, tenantId, 'hook'))?.version).toBe(3);
  });

  it('an update that would make two primaries for a station is refused', async () => {
    const tenantId = uniqueTenant('be');
    await register(csms(tenantId, { id: 'a', match: { devices: ['cp-1'] } }));
    await register(csms(tenantId, { id: 'b', match: { devices: ['cp-2'] } }));
    const widened = await refusal(UPDATE, { i: { tenantId, id: 'b', match: {} } });
    expect(widened.code).toBe('routing:backend.primary-conflict');
    const demoted = await graphql(stack.apiUrl, UPDATE, {
      i: { tenantId, id: 'b', match: {}, role: 'SECONDARY' },
    });
    expect(demoted.data.updateBackend).toMatchObject({
      role: 'SECONDARY',
      match: { devices: null, models: null },
      version: 2,
    });
  });

  it('removes a backend once', async () => {
    const tenantId = uniqueTenant('be');
    await register(hook(tenantId));
    const first = await graphql(stack.apiUrl, REMOVE, { t: tenantId, b: 'hook' });
    expect(first.data.removeBackend).toEqual({ removed: true });
    const second = await graphql(stack.apiUrl, REMOVE, { t: tenantId, b: 'hook' });
    expect(second.data.removeBackend).toEqual({ removed: false });
    expect((await graphql(stack.apiUrl, LIST, { t: tenantId })).data.backends).toEqual([]);
  });

  it('tells listeners on doppel_backends which tenant changed', async () => {
    const tenantId = uniqueTenant('be');
    const heard: string[] = [];
    const listener = await stack.database.sql.listen('doppel_backends', (tenant) => {
      if (tenant === tenantId) heard.push(tenant);
    });
    try {
      await register(hook(tenantId));
      await eventually(async () => (heard.length === 1 ? true : undefined), 5_000);
      await graphql(stack.apiUrl, REMOVE, { t: tenantId, b: 'hook' });
      await eventually(async () => (heard.length === 2 ? true : undefined), 5_000);
      // A refused change says nothing.
      await refusal(REGISTER, { i: hook(tenantId, { secret: 'short' }) });
      await new Promise((r) => setTimeout(r, 300));
      expect(heard).toEqual([tenantId, tenantId]);
    } finally {
      await listener.unlisten();
    }
  });
});
