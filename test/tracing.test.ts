import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureNamespace } from '../deploy/cluster/namespace';
import { migrateDatabase } from '../db/migrate';
import { tracing } from '../observability/tracing';
import { eventually, graphqlOk } from './support/graphql';
import {
  helloDevice,
  registerDevice,
  startStack,
  uniqueTenant,
  type TestStack,
} from './support/stack';

/**
 * OpenTelemetry traces from a device message through the gateway, the worker's notice, Temporal
 * and the API's outbox feed, exported over OTLP/HTTP (JSON) to a receiver on loopback.
 *
 * This file runs on a database and a Temporal namespace of its own: other test files' workers
 * (no tracing) would otherwise drain its notices and run its twins, and their spans would
 * never reach this receiver.
 */
interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  scope: string;
  attributes: Record<string, unknown>;
}

const PUT_PROFILE = `mutation ($t: ID!, $p: JSONObject!) { putDeviceProfile(tenantId: $t, profile: $p) { version } }`;

let receiver: Server;
const spans: ExportedSpan[] = [];
let stack: TestStack;
let admin: postgres.Sql;
let database = '';

/** An OTLP/HTTP receiver: JSON ExportTraceServiceRequest bodies at POST /v1/traces. */
async function startReceiver(): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      for (const rs of body.resourceSpans ?? [])
        for (const ss of rs.scopeSpans ?? [])
          for (const s of ss.spans ?? [])
            spans.push({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              scope: ss.scope?.name ?? '',
              attributes: Object.fromEntries(
                (s.attributes ?? []).map((a: any) => [a.key, Object.values(a.value ?? {})[0]]),
              ),
            });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

beforeAll(async () => {
  receiver = await startReceiver();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  process.env.OTEL_BSP_SCHEDULE_DELAY = '100';
  const suffix = `${process.pid}_${Date.now().toString(36)}`;
  const namespace = `tracing-${suffix}`;
  database = `tracing_${suffix}`;
  admin = postgres(inject('ownerDatabaseUrl'), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${database}`);
  const url = new URL(inject('ownerDatabaseUrl'));
  url.pathname = `/${database}`;
  await migrateDatabase(url.toString());
  await ensureNamespace(inject('temporalAddress'), namespace);
  stack = await startStack({
    temporalAddress: inject('temporalAddress'),
    databaseUrl: url.toString(),
    namespace,
  });
});
afterAll(async () => {
  await stack?.stop();
  await tracing()?.shutdown();
  receiver?.close();
  if (database) await admin.unsafe(`drop database if exists ${database} with (force)`);
  await admin?.end();
});

describe('traces', () => {
  it('follow one device report from the gateway through the worker and Temporal to the API, in one trace', async () => {
    const tenantId = uniqueTenant();
    const profile = {
      model: 'traced-sensor',
      vendor: 'Acme',
      fields: { status: { kind: 'state', type: 'string' } },
      twin: { fields: ['status'] },
    };
    await graphqlOk(stack.apiUrl, PUT_PROFILE, { t: tenantId, p: profile });
    const token = await registerDevice(stack, tenantId, 'tr-1', 'traced-sensor');
    const device = await helloDevice(stack.gatewayUrl, { tenantId, deviceId: 'tr-1', token });
    device.send({ type: 'report', seq: 7, state: { status: 'charging' } });
    expect(await device.next((m) => m.seq === 7)).toEqual({ type: 'ack', seq: 7 });

    const report = await eventually(async () =>
      spans.find(
        (s) =>
          s.name === 'device report' &&
          s.attributes['doppel.device'] === 'tr-1' &&
          Number(s.attributes['doppel.seq']) === 7,
      ),
    );
    expect(report.scope).toBe('doppel-gateway');
    expect(report.parentSpanId).toBeUndefined();
    const inTrace = () => spans.filter((s) => s.traceId === report.traceId);
    const named = (name: string | RegExp) =>
      inTrace().find((s) => (typeof name === 'string' ? s.name === name : name.test(s.name)));

    // The API handed the report's outbox row to its subscribers; the worker signalled the twin
    // (the notice the report raised), Temporal's client span is a child of that, and the
    // workflow handled the signal in the same trace (context through Temporal headers).
    const delivered = await eventually(async () => named('outbox deliver'));
    const notice = await eventually(async () => named('twin notice'));
    const signal = await eventually(async () => named(/^SignalWithStartWorkflow:/));
    const handled = await eventually(async () => named(/^HandleSignal:/), 20_000);
    expect(delivered.scope).toBe('doppel-api');
    expect(delivered.parentSpanId).toBe(report.spanId);
    expect(notice.scope).toBe('doppel-worker');
    expect(notice.parentSpanId).toBe(report.spanId);
    expect(signal.parentSpanId).toBe(notice.spanId);
    expect(handled.parentSpanId).toBe(signal.spanId);

    // Every span of the trace has its parent in the trace: no link is broken.
    const ids = new Set(inTrace().map((s) => s.spanId));
    for (const s of inTrace()) if (s !== report) expect(ids.has(s.parentSpanId ?? '')).toBe(true);
    device.close();
  });

  it("hold the twin's projection of a connect and the delivery of the lifecycle change it made, in the connect's trace", async () => {
    const tenantId = uniqueTenant();
    const token = await registerDevice(stack, tenantId, 'tr-2');
    const device = await helloDevice(stack.gatewayUrl, { tenantId, deviceId: 'tr-2', token });

    const connect = await eventually(async () =>
      spans.find((s) => s.name === 'device connect' && s.attributes['doppel.device'] === 'tr-2'),
    );
    expect(connect.parentSpanId).toBeUndefined();
    const inTrace = () => spans.filter((s) => s.traceId === connect.traceId);
    /** The span's ancestors up to the connect, or undefined while one of them is missing. */
    const chain = (span: ExportedSpan): ExportedSpan[] | undefined => {
      const path: ExportedSpan[] = [];
      for (let s: ExportedSpan | undefined = span; s;) {
        if (s === connect) return path;
        path.push(s);
        s = inTrace().find((p) => p.spanId === s!.parentSpanId);
      }
      return undefined;
    };

    // The first connect made the twin activate the device (provisioned → active): the twin's
    // projection of that change runs in the connect's trace, under the notice that told it.
    const projection = await eventually(async () => {
      const s = inTrace().find((x) => x.name === 'twin projection');
      return s && chain(s) ? s : undefined;
    }, 20_000);
    expect(projection.scope).toBe('doppel-worker');
    expect(projection.attributes['doppel.device']).toBe('tr-2');
    expect(chain(projection)!.map((s) => s.name)).toContain('twin notice');

    // The API delivered the lifecycle change the projection wrote, as its child.
    const delivered = await eventually(async () =>
      inTrace().find(
        (s) =>
          s.name === 'outbox deliver' && s.attributes['doppel.change.kind'] === 'lifecycle-changed',
      ),
    );
    expect(delivered.parentSpanId).toBe(projection.spanId);

    // Every span of the trace has its parent in the trace: no link is broken.
    const ids = new Set(inTrace().map((s) => s.spanId));
    for (const s of inTrace()) if (s !== connect) expect(ids.has(s.parentSpanId ?? '')).toBe(true);
    device.close();
  });
});
