// Finding devices by id prefix and by serial (DeviceFilter.idPrefix, .serial, Device.serial):
// server-side, paged like every filter, in one tenant only, and answered by an index at
// 100,000 devices — checked in PostgreSQL's own plans, generic (a prepared statement's) and
// custom. Reads only: the fleet is written straight into the projection, and the API never
// reaches Temporal (its client connects lazily, on first use).
import { Client } from '@temporalio/client';
import { count, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase, type Database } from '../db/client';
import { projectDeviceTwin } from '../db/device-projection';
import { deviceConditions, devicePageQuery, type DeviceFilter } from '../db/graph-pages';
import { recordProvisioning } from '../db/provisioning-store';
import { deviceTwins } from '../db/schema';
import { createApiApp } from '../graphql/app';
import { createEgress } from '../outbound/egress';
import { initialDeviceState } from '../twins/device';
import { TEST_AUTH } from './support/auth';
import { testCredentials } from './support/graphql';
import { seedBoundDevices } from './support/seed-graph';
import { uniqueTenant } from './support/stack';

const T = uniqueTenant('search');
const OTHER = uniqueTenant('search-other');
let database: Database;
let api: ReturnType<typeof createApiApp>;

async function register(tenantId: string, deviceId: string) {
  const at = new Date().toISOString();
  await projectDeviceTwin(database, initialDeviceState({ tenantId, deviceId }), [
    { type: 'registered', at, actor: 'test', model: 'x' },
  ]);
}

async function provisioned(tenantId: string, serial: string) {
  await recordProvisioning(database, {
    tenantId,
    deviceId: serial,
    workflowId: `provision:${tenantId}:${serial}`,
    status: 'active',
    reason: null,
    method: 'credentials',
    request: {
      serial,
      method: 'credentials',
      claimExpiresInS: 3600,
      expect: {},
      activationTimeoutS: 3600,
    },
    requestedBy: 'test',
    requestedAt: new Date().toISOString(),
  });
}

async function ask(query: string, variables: Record<string, unknown>) {
  const response = await api.yoga.fetch('http://api/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...testCredentials() },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as {
    data?: any;
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  };
}

const DEVICES = `query ($t: ID!, $f: DeviceFilter, $first: Int, $after: String) {
  devices(tenantId: $t, filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { deviceId serial site { siteId } } } }`;

/** Every device the filter finds, page by page, and the total the first page announced. */
async function allPages(filter: Record<string, unknown>, first: number, tenantId = T) {
  const ids: string[] = [];
  let after: string | null = null;
  let total: number | null = null;
  for (;;) {
    const res = await ask(DEVICES, { t: tenantId, f: filter, first, after });
    expect(res.errors).toBeUndefined();
    const page = res.data.devices;
    total ??= page.totalCount;
    ids.push(...page.nodes.map((n: { deviceId: string }) => n.deviceId));
    if (!page.pageInfo.hasNextPage) return { ids, total };
    after = page.pageInfo.endCursor;
  }
}

beforeAll(async () => {
  database = createDatabase(inject('databaseUrl'));
  // d-000 … d-029 at sites s1–s4; d_01 and D-01 look like a d-01 prefix to LIKE or to a
  // case-blind match, and must not be found by one.
  await seedBoundDevices(database, T, 30);
  await register(T, 'd_01');
  await register(T, 'D-010');
  await provisioned(T, 'd-003');
  await provisioned(T, 'd-017');
  // Another tenant provisioned serial d-004, which T has registered without provisioning.
  await register(OTHER, 'd-004');
  await provisioned(OTHER, 'd-004');
  api = createApiApp({
    database,
    temporal: new Client(),
    twinSettings: { offlineGraceMs: 0 },
    egress: createEgress(),
    auth: TEST_AUTH,
  });
});

afterAll(async () => {
  await database?.close();
});

describe('devices by id prefix', () => {
  it('finds the devices whose id starts with the prefix, paged, with their total', async () => {
    const { ids, total } = await allPages({ idPrefix: 'd-01' }, 4);
    expect(ids).toEqual(Array.from({ length: 10 }, (_, i) => `d-01${i}`));
    expect(total).toBe(10);
    // The prefix is taken as it is: no wildcards (d_01), case matters (D-010).
    expect((await allPages({ idPrefix: 'd_' }, 10)).ids).toEqual(['d_01']);
    expect((await allPages({ idPrefix: 'D' }, 10)).ids).toEqual(['D-010']);
    // A whole id is its own prefix.
    expect((await allPages({ idPrefix: 'd-029' }, 10)).ids).toEqual(['d-029']);
    expect(await allPages({ idPrefix: 'd-0299' }, 10)).toEqual({ ids: [], total: 0 });
  });

  it('narrows with the other filters', async () => {
    // Site s2 holds d-001, d-005, d-009, … (N mod 4 = 1).
    const { ids, total } = await allPages({ idPrefix: 'd-00', siteId: 's2' }, 1);
    expect(ids).toEqual(['d-001', 'd-005', 'd-009']);
    expect(total).toBe(3);
  });

  it('refuses a prefix that no id can start with', async () => {
    for (const idPrefix of ['', '-d', 'd 0', 'd%', 'x'.repeat(65)]) {
      const res = await ask(DEVICES, { t: T, f: { idPrefix } });
      expect(
        res.errors?.map((e) => e.extensions?.code),
        idPrefix,
      ).toEqual(['api:input.invalid-id']);
      expect(res.errors?.[0]?.message).toContain('idPrefix');
    }
  });
});

describe('devices by serial', () => {
  it('finds the device provisioned under the serial, in its own tenant only', async () => {
    const found = await ask(DEVICES, { t: T, f: { serial: 'd-017' } });
    expect(found.data.devices).toMatchObject({
      totalCount: 1,
      nodes: [{ deviceId: 'd-017', serial: 'd-017', site: { siteId: 's2' } }],
    });
    // d-004 exists in T but was never provisioned there: the other tenant's serial is not T's.
    expect((await allPages({ serial: 'd-004' }, 10)).ids).toEqual([]);
    expect((await allPages({ serial: 'd-004' }, 10, OTHER)).ids).toEqual(['d-004']);
    expect((await allPages({ serial: 'd-01' }, 10)).ids).toEqual([]);
  });

  it('tells each device’s serial: its id when provisioned, null when registered directly', async () => {
    const res = await ask(DEVICES, { t: T, f: { idPrefix: 'd-00' }, first: 5 });
    expect(res.data.devices.nodes.map((n: { serial: string | null }) => n.serial)).toEqual([
      null,
      null,
      null,
      'd-003',
      null,
    ]);
  });

  it('refuses a serial that is not one', async () => {
    const res = await ask(DEVICES, { t: T, f: { serial: 'sn 1' } });
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['api:input.invalid-id']);
  });
});

describe('the plan at 100,000 devices', () => {
  const BIG = uniqueTenant('search-plan');
  let owner: Database;

  beforeAll(async () => {
    // The tables' owner: only it may ANALYZE. Rows a twin never wrote: retired and unknown,
    // so no sweep takes them up while they exist.
    owner = createDatabase(inject('ownerDatabaseUrl'));
    await owner.sql`
      insert into device_twins (tenant_id, device_id, lifecycle, connectivity, state, version, updated_at)
      select ${BIG}, 'ch-' || lpad(i::text, 6, '0'), 'retired', 'unknown', '{}'::jsonb, 1, now()
      from generate_series(1, 100000) as i`;
    await owner.sql`insert into device_provisioning
      (tenant_id, device_id, workflow_id, status, method, request, requested_by, requested_at)
      select ${BIG}, 'ch-' || lpad(i::text, 6, '0'), 'provision:plan', 'active', 'credentials', '{}'::jsonb, 'test', now()
      from generate_series(1, 100000, 7) as i`;
    await owner.sql`analyze device_twins`;
    await owner.sql`analyze device_provisioning`;
  }, 120_000);

  afterAll(async () => {
    if (!owner) return;
    await owner.sql`delete from device_provisioning where tenant_id = ${BIG}`;
    await owner.sql`delete from device_twins where tenant_id = ${BIG}`;
    await owner.close();
  });

  /** A value as an SQL literal (the test's own strings and numbers only). */
  const literal = (v: unknown) =>
    typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`;

  /**
   * The plan PostgreSQL makes for a query prepared once and run with these parameters:
   * `generic` is the plan a prepared statement settles on (parameters unknown when planned).
   */
  async function planOf(
    query: { sql: string; params: unknown[] },
    mode: 'force_generic_plan' | 'force_custom_plan',
  ): Promise<string> {
    return owner.sql.begin(async (tx) => {
      await tx.unsafe(`set local plan_cache_mode = ${mode}`);
      await tx.unsafe(`prepare search_plan as ${query.sql}`);
      const rows = await tx.unsafe(
        `explain (costs off) execute search_plan(${query.params.map(literal).join(', ')})`,
      );
      await tx.unsafe('deallocate search_plan');
      return rows.map((r) => r['QUERY PLAN'] as string).join('\n');
    });
  }

  const pageOf = (filter: DeviceFilter, after: string | null = null) =>
    devicePageQuery(owner, BIG, filter, { first: 25, after }).toSQL();
  const countOf = (filter: DeviceFilter) =>
    owner.db.select({ n: count() }).from(deviceTwins).where(deviceConditions(BIG, filter)).toSQL();

  it('answers a prefix from the prefix index, never a scan of the table', async () => {
    for (const mode of ['force_generic_plan', 'force_custom_plan'] as const) {
      for (const query of [
        pageOf({ idPrefix: 'ch-01234' }),
        pageOf({ idPrefix: 'ch-01234' }, 'ch-012345'),
        countOf({ idPrefix: 'ch-01234' }),
      ]) {
        const plan = await planOf(query, mode);
        expect(plan, `${mode}\n${plan}`).toContain('device_twins_id_prefix_index');
        expect(plan, `${mode}\n${plan}`).toMatch(/Index Cond: .*~>=~.*~<~/);
        expect(plan, `${mode}\n${plan}`).not.toMatch(/Seq Scan|Filter:|Sort/);
      }
    }
    // And the answer is right: ch-012340 … ch-012349.
    const rows = await owner.db.execute(sql`select count(*)::int as n from device_twins
      where ${deviceConditions(BIG, { idPrefix: 'ch-01234' })}`);
    expect(rows[0]).toEqual({ n: 10 });
  });

  it('answers a serial from an index of the devices and the provisionings’ primary key', async () => {
    for (const mode of ['force_generic_plan', 'force_custom_plan'] as const) {
      for (const query of [pageOf({ serial: 'ch-000008' }), countOf({ serial: 'ch-000008' })]) {
        const plan = await planOf(query, mode);
        // Either index of device_twins finds one id (the prefix index's class has = too).
        expect(plan, `${mode}\n${plan}`).toMatch(
          /using device_twins_\w+ on device_twins\s+Index Cond: \(\(tenant_id = [^)]+\) AND \(device_id = [^)]+\)\)/,
        );
        expect(plan, `${mode}\n${plan}`).toContain('device_provisioning_tenant_id_device_id_pk');
        expect(plan, `${mode}\n${plan}`).not.toMatch(/Seq Scan/);
      }
    }
    const [found, notProvisioned] = await Promise.all(
      ['ch-000008', 'ch-000009'].map((serial) =>
        devicePageQuery(owner, BIG, { serial }, { first: 25, after: null }),
      ),
    );
    expect(found).toHaveLength(1);
    expect(notProvisioned).toHaveLength(0);
  });
});
