import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, graphql } from './support/graphql';
import {
  helloDevice,
  registerDevice,
  startTestStack,
  uniqueTenant,
  type TestStack,
} from './support/stack';
import { wsSubscription } from './support/ws-subscription';

/** Every role's Prometheus metrics, scraped over HTTP from its own listener, after real traffic. */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const page = async (url: string) => {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return response.text();
};

/** The sum of a metric's samples whose labels include every one of `labels` (0 when none). */
async function metric(url: string, name: string, ...labels: string[]): Promise<number> {
  return (await page(url))
    .split('\n')
    .filter((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && !l.startsWith('#'))
    .filter((l) => labels.every((label) => l.includes(label)))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

describe('metrics on every role', () => {
  it('serves each role’s metrics on a listener of its own, with help text, never on a public port', async () => {
    const devicePort = stack.gatewayUrl.replace('ws', 'http').replace('/device', '/metrics');
    const apiPort = stack.apiUrl.replace('/graphql', '/metrics');
    for (const url of [devicePort, apiPort]) {
      const response = await fetch(url);
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('doppel_');
    }
    const api = await page(stack.apiMetricsUrl);
    expect(api).toContain('# HELP doppel_api_operations_total ');
    expect(api).toContain('# HELP doppel_api_outbox_lag ');
    const worker = await page(stack.workerMetricsUrl);
    expect(worker).toContain('# HELP doppel_worker_twin_notice_signals_total ');
    expect(worker).toContain('# HELP doppel_worker_webhook_lag_seconds ');
    // Temporal Core's own task latencies, on the worker's page.
    await eventually(async () =>
      (await page(stack.workerMetricsUrl)).includes(
        'temporal_workflow_task_schedule_to_start_latency',
      )
        ? true
        : undefined,
    );
  });

  it('counts GraphQL operations by name and outcome, and open subscriptions', async () => {
    const url = stack.apiMetricsUrl;
    const ok = () => metric(url, 'doppel_api_operations_total', 'operation="MetricsProbe"');
    const failed = () =>
      metric(url, 'doppel_api_operations_total', 'operation="MetricsBad"', 'outcome="error"');
    const okBefore = await ok();
    const failedBefore = await failed();
    await graphql(stack.apiUrl, 'query MetricsProbe { __typename }');
    await graphql(stack.apiUrl, 'query MetricsProbe { __typename }');
    const bad = await graphql(
      stack.apiUrl,
      'mutation MetricsBad($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }',
      { i: { tenantId: 'no tenant!', deviceId: 'x' } },
    );
    expect(bad.errors?.length).toBeGreaterThan(0);
    expect(await ok()).toBe(okBefore + 2);
    expect(await failed()).toBe(failedBefore + 1);

    const open = await metric(url, 'doppel_api_subscriptions');
    const tenantId = uniqueTenant();
    const sub = wsSubscription(
      stack.apiUrl,
      'subscription MetricsWatch($t: ID!) { deviceChanged(tenantId: $t) { version } }',
      { t: tenantId },
    );
    await eventually(async () =>
      (await metric(url, 'doppel_api_subscriptions')) === open + 1 ? true : undefined,
    );
    await sub.close();
    await eventually(async () =>
      (await metric(url, 'doppel_api_subscriptions')) === open ? true : undefined,
    );
  });

  it('counts a device’s messages by protocol and kind, and the ingest batches that held them', async () => {
    const url = stack.metricsUrl;
    const messages = (kind: string) =>
      metric(url, 'doppel_gateway_messages_total', 'protocol="json"', `kind="${kind}"`);
    const before = {
      connect: await messages('connect'),
      report: await messages('report'),
      telemetry: await messages('telemetry'),
      disconnect: await messages('disconnect'),
      batches: await metric(url, 'doppel_gateway_ingest_batch_seconds_count'),
      telemetryBatches: await metric(url, 'doppel_gateway_telemetry_batch_seconds_count'),
    };
    const tenantId = uniqueTenant();
    const token = await registerDevice(stack, tenantId, 'm-1');
    const device = await helloDevice(stack.gatewayUrl, { tenantId, deviceId: 'm-1', token });
    device.send({ type: 'report', seq: 2, state: { temperature: 20 } });
    expect(await device.next((m) => m.seq === 2)).toEqual({ type: 'ack', seq: 2 });
    device.send({ type: 'report', seq: 3, state: { temperature: 21 } });
    expect(await device.next((m) => m.seq === 3)).toEqual({ type: 'ack', seq: 3 });
    device.send({
      type: 'telemetry',
      seq: 4,
      samples: [{ at: new Date().toISOString(), values: { power: 1 } }],
    });
    expect(await device.next((m) => m.seq === 4)).toEqual({ type: 'ack', seq: 4 });
    device.close();
    await eventually(async () =>
      (await messages('disconnect')) === before.disconnect + 1 ? true : undefined,
    );
    expect(await messages('connect')).toBe(before.connect + 1);
    expect(await messages('report')).toBe(before.report + 2);
    expect(await messages('telemetry')).toBe(before.telemetry + 1);
    // connect, two reports and the disconnect: at least one batch each time the writer was idle.
    expect(await metric(url, 'doppel_gateway_ingest_batch_seconds_count')).toBeGreaterThan(
      before.batches,
    );
    expect(await metric(url, 'doppel_gateway_telemetry_batch_seconds_count')).toBe(
      before.telemetryBatches + 1,
    );
  });

  it('shows the outbox lag of the API and the signals the worker sent to twins', async () => {
    // The twin of a device that reports is told through a notice; a worker (this one or
    // another test file's, on the same database) signals it, and its projection writes the
    // outbox row the API then hands to its subscribers: the lag comes back to 0.
    const tenantId = uniqueTenant();
    const token = await registerDevice(stack, tenantId, 'm-2');
    const device = await helloDevice(stack.gatewayUrl, { tenantId, deviceId: 'm-2', token });
    device.send({ type: 'report', seq: 2, state: { temperature: 22 } });
    await device.next((m) => m.seq === 2);
    device.close();
    await eventually(async () =>
      (await metric(
        stack.workerMetricsUrl,
        'doppel_worker_twin_notice_signals_total',
        'outcome="sent"',
      )) > 0
        ? true
        : undefined,
    );
    await eventually(async () =>
      (await metric(stack.apiMetricsUrl, 'doppel_api_outbox_events_total')) > 0 &&
      (await metric(stack.apiMetricsUrl, 'doppel_api_outbox_lag')) === 0
        ? true
        : undefined,
    );
  });
});
