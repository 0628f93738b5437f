import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { twinsOf } from '../db/rollout-store';
import { deviceWorkflowId } from '../twins/ids';
import { rolloutConfigSchema } from '../twins/rollout/config';
import { createRolloutActivities } from '../workflows/activities/rollout-activities';
import { sendCommandUpdate, updateDesiredUpdate } from '../workflows/device-twin/messages';
import { startRollout } from '../workflows/rollout/client';
import { rolloutWorkflowId } from '../workflows/rollout/messages';
import { bundleWorkflows } from '../workflows/worker/start-worker';
import { TestDevice } from './support/device-client';
import {
  closeFirmwareDevices,
  firmwareDevice,
  START,
  untilRollout,
} from './support/firmware-device';
import { eventually } from './support/graphql';
import { startGatewayProcess } from './support/gateway-process';
import { startTestStack, type TestStack } from './support/stack';
import { TwinGraph } from './support/twin-graph';

/**
 * Rollouts command their devices in bulk (docs/fleet-operations.md "How a wave commands
 * devices"): a wave reads a batch's records in one query and hands each gateway node one
 * batch; the twins hear nothing of it. Real devices, gateways, Temporal and PostgreSQL.
 */
let stack: TestStack;
const cleanup: Array<() => Promise<unknown>> = [];
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  closeFirmwareDevices();
  for (const undo of cleanup.reverse()) await undo().catch(() => undefined);
  await stack?.stop();
});

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = temporal.api.enums.v1;
/** An event's type by name (histories carry the number). */
const EVENT_NAMES = new Map(
  Object.entries(EventType).flatMap(([name, value]) =>
    typeof value === 'number' ? [[value, name] as const] : [],
  ),
);
const typeName = (e: HistoryEvent) => EVENT_NAMES.get(e.eventType as number) ?? '';

async function historyOf(workflowId: string): Promise<HistoryEvent[]> {
  const history = await stack.temporal.workflow.getHandle(workflowId).fetchHistory();
  return history.events ?? [];
}

/** WorkflowTaskCompleted events of a history. */
const workflowTasks = (events: HistoryEvent[]) =>
  events.filter((e) => typeName(e) === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED').length;

/** The updates through which operations commanded devices by their twins. */
const COMMAND_UPDATES = new Set([sendCommandUpdate.name, updateDesiredUpdate.name]);

/**
 * The workflow tasks of a twin that served a command sent to it (a `sendCommand` or
 * `updateDesired` update, or the answer of a command delivery, among what woke the task or
 * what it did): the rollout's share of the twin. Tasks woken by the device's own traffic
 * (connect, report, disconnect and their projection) or its registration are not the
 * rollout's: they belong to the ingest path and provisioning.
 */
function commandTasks(events: HistoryEvent[]): number {
  const deliveries = new Set(
    events
      .filter(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'deliverCommand',
      )
      .map((e) => String(e.eventId)),
  );
  const isCommand = (e: HistoryEvent) =>
    COMMAND_UPDATES.has(
      e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ??
        e.workflowExecutionUpdateAdmittedEventAttributes?.request?.input?.name ??
        '',
    ) ||
    deliveries.has(String(e.eventId)) ||
    deliveries.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? '')) ||
    deliveries.has(String(e.activityTaskFailedEventAttributes?.scheduledEventId ?? ''));
  let count = 0;
  let since: HistoryEvent[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (typeName(e) !== 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED') {
      since.push(e);
      continue;
    }
    // What the task did: the events after it up to the next task's scheduling.
    const did: HistoryEvent[] = [];
    for (let j = i + 1; j < events.length; j++) {
      if (typeName(events[j]!) === 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED') break;
      did.push(events[j]!);
    }
    if ([...since, ...did].some(isCommand)) count++;
    since = [];
  }
  return count;
}

describe('rollouts in bulk', () => {
  it('updates 24 real devices each exactly once for fewer workflow tasks than devices, twins included', async () => {
    const g = new TwinGraph(stack);
    const log: string[] = [];
    const ids = Array.from({ length: 24 }, (_, i) => `n-${String(i).padStart(2, '0')}`);
    await Promise.all(
      ids.map(async (id) =>
        firmwareDevice(g, id, await g.register(id, 'wb-bulk'), '1.0', 'update', log, 1000),
      ),
    );
    await g.ok(START, {
      c: {
        id: 'fw-bulk',
        firmware: { version: '2.0', url: 'https://firmware.example.com/wb-bulk/2.0.bin' },
        target: { models: ['wb-bulk'] },
        canary: { devices: 2 },
        waves: { mode: 'constant', size: 22 },
        maxConcurrency: 50,
        perDevice: { timeoutS: 60, retries: 0 },
      },
    });
    const done = await untilRollout(g, 'fw-bulk', (r) => r.status === 'COMPLETED', 90_000);
    expect(done.counts).toMatchObject({ succeeded: 24, failed: 0, skipped: 0, pending: 0 });
    // Every device got the firmware command once, and runs the new version.
    expect([...log].sort()).toEqual(ids.map((id) => `${id}:update-firmware`));
    const records = await twinsOf(stack.database, g.tenantId, ids);
    expect(ids.filter((id) => records.get(id)?.firmware !== '2.0')).toEqual([]);

    const rolloutId = rolloutWorkflowId(g.tenantId, 'fw-bulk');
    const waves: string[] = [];
    for (let i = 0; ; i++) {
      const id = `${rolloutId}:wave-${i}`;
      const exists = await stack.temporal.workflow
        .getHandle(id)
        .describe()
        .then(
          () => true,
          () => false,
        );
      if (!exists) break;
      waves.push(id);
    }
    expect(waves.length).toBe(2);
    let tasks = workflowTasks(await historyOf(rolloutId));
    for (const wave of waves) tasks += workflowTasks(await historyOf(wave));
    const twinTasks = await Promise.all(
      ids.map(async (deviceId) =>
        commandTasks(
          await historyOf(deviceWorkflowId({ tenantId: g.tenantId, deviceId })).catch(() => []),
        ),
      ),
    );
    tasks += twinTasks.reduce((a, b) => a + b, 0);
    expect(twinTasks.filter((n) => n > 0)).toEqual([]);
    expect(tasks).toBeLessThan(ids.length);
  }, 180_000);

  it('hands the command to a device offline at its turn once it is back (offline: wait), within its time-out', async () => {
    const g = new TwinGraph(stack);
    const log: string[] = [];
    await firmwareDevice(g, 'w-0', await g.register('w-0', 'wb-wait'), '1.0', 'update', log);
    const token = await g.register('w-1', 'wb-wait');
    const away = await g.connect('w-1', token, '1.0');
    await eventually(async () => {
      const { device } = await g.ok(
        `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) { lifecycle { state } } }`,
        { d: 'w-1' },
      );
      return device?.lifecycle.state === 'ACTIVE' ? device : undefined;
    });
    away.close();
    await eventually(async () => {
      const { device } = await g.ok(
        `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) { connectivity { status } } }`,
        { d: 'w-1' },
      );
      return device.connectivity.status === 'OFFLINE' ? device : undefined;
    });
    await g.ok(START, {
      c: {
        id: 'fw-wait',
        firmware: { version: '2.0', url: 'https://firmware.example.com/wb-wait/2.0.bin' },
        target: { models: ['wb-wait'] },
        canary: { devices: 2 },
        waves: { mode: 'constant', size: 10 },
        perDevice: { timeoutS: 60, retries: 0 },
      },
    });
    // w-0 updates; w-1 is commanded while offline and waits for its connection.
    await untilRollout(g, 'fw-wait', (r) =>
      r.devices.some((d: any) => d.deviceId === 'w-0' && d.status === 'SUCCEEDED'),
    );
    const waiting = await untilRollout(g, 'fw-wait', (r) =>
      r.devices.some((d: any) => d.deviceId === 'w-1' && d.status === 'COMMANDED'),
    );
    expect(waiting.status).toBe('RUNNING');
    expect(log).toEqual(['w-0:update-firmware']);
    // Back: it gets the command on its new connection and updates.
    await firmwareDevice(g, 'w-1', token, '1.0', 'update', log);
    const done = await untilRollout(g, 'fw-wait', (r) => r.status === 'COMPLETED', 60_000);
    expect(done.counts).toMatchObject({ succeeded: 2, failed: 0 });
    expect([...log].sort()).toEqual(['w-0:update-firmware', 'w-1:update-firmware']);
  }, 120_000);

  it('retries a device that moved to another gateway node between the read and the delivery on its next turn', async () => {
    const g = new TwinGraph(stack);
    const backends = {
      temporalAddress: inject('temporalAddress'),
      databaseUrl: inject('databaseUrl'),
    };
    const other = await startGatewayProcess(backends, `test-gw-other-${process.pid}`);
    cleanup.push(() => other.crash());
    const token = await g.register('m-1', 'wb-move');
    const log: string[] = [];
    const first = await g.connect('m-1', token, '1.0');
    const nodeOf = async () =>
      (
        await stack.database.sql<Array<{ node: string | null; firmware: string | null }>>`
          select state->'connectivity'->>'gatewayNode' as node, state->>'firmware' as firmware
          from device_twins where tenant_id = ${g.tenantId} and device_id = 'm-1'`
      )[0];
    await eventually(async () =>
      (await nodeOf())?.node === stack.gatewayNodeId ? true : undefined,
    );

    /** The device on the other node: logs each command, accepts, reboots into the version. */
    const onOther = async (firmware: string) => {
      const device = await TestDevice.connect(other.url);
      cleanup.push(async () => device.close());
      device.send({ type: 'hello', seq: 1, tenant: g.tenantId, device: 'm-1', token, firmware });
      await device.next((m) => m.type === 'welcome');
      void device
        .next((m) => m.type === 'command', 60_000)
        .then(async (command) => {
          log.push(`m-1:${command.name}`);
          device.send({ type: 'command-result', seq: 2, id: command.id, status: 'accepted' });
          device.close();
          await onOther((command.params as { version: string }).version);
        })
        .catch(() => undefined);
    };

    // This rollout's own worker runs the real workflows and activities; the device moves
    // right after the wave read its record (on this stack's node), before the delivery.
    const activities = createRolloutActivities(stack.database, stack.temporal);
    let moved = false;
    const connection = await NativeConnection.connect({ address: backends.temporalAddress });
    const taskQueue = `rollout-move-${Date.now().toString(36)}`;
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowBundle: await bundleWorkflows(),
      activities: {
        ...activities,
        async prepareDeviceBatch(input: Parameters<typeof activities.prepareDeviceBatch>[0]) {
          const prepared = await activities.prepareDeviceBatch(input);
          if (!moved) {
            moved = true;
            expect(prepared.deliveries.map((d) => d.node)).toEqual([stack.gatewayNodeId]);
            first.close();
            await onOther('1.0');
            await eventually(async () =>
              (await nodeOf())?.node === `test-gw-other-${process.pid}` ? true : undefined,
            );
          }
          return prepared;
        },
      },
    });
    const running = worker.run();
    cleanup.push(async () => {
      worker.shutdown();
      await running;
      await connection.close();
    });
    const config = rolloutConfigSchema.parse({
      id: 'fw-move',
      firmware: { version: '2.0', url: 'https://firmware.example.com/wb-move/2.0.bin' },
      target: { models: ['wb-move'] },
      perDevice: { timeoutS: 60, retries: 0 },
    });
    await startRollout(
      stack.temporal,
      { tenantId: g.tenantId, actor: 'test', config },
      { taskQueue },
    );
    const done = await untilRollout(g, 'fw-move', (r) => r.status === 'COMPLETED', 60_000);
    expect(moved).toBe(true);
    expect(done.devices[0]).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
    expect(log).toEqual(['m-1:update-firmware']);
    expect((await nodeOf())?.firmware).toBe('2.0');
  }, 120_000);
});
