import { build } from 'hdr-histogram-js';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { tsToMs } from '@temporalio/common/lib/time';
import { deviceWorkflowId } from '../twins/ids';
import { TestDevice } from '../test/support/device-client';
import { graphql } from '../test/support/graphql';
import { startStack } from '../test/support/stack';
import { startBenchInfrastructure, type BenchProfile } from './report';

export interface TwinBurstResult {
  changes: number;
  window: number;
  wallSeconds: number;
  changesPerSecond: number;
  ackMs: { p50: number; p99: number; p999: number; max: number };
  commitMs: { p50: number; p99: number; p999: number; max: number };
  runs: number;
  historyEvents: number;
  historyBytes: number;
  eventsPerChange: number;
  /** Slot time of the twin's workflow tasks and activities (started → completed, summed over
   * the histories) ÷ wall time: the slots they kept busy on average (Little's law). */
  busySlots: { workflowTasks: number; activities: number };
}

const percentiles = (h: ReturnType<typeof build>) => ({
  p50: h.getValueAtPercentile(50),
  p99: h.getValueAtPercentile(99),
  p999: h.getValueAtPercentile(99.9),
  max: h.maxValue,
});

/**
 * N state changes from one device through one twin: a real WebSocket device sends reports
 * (each changes the reported state) with at most `window` unacknowledged, through the
 * gateway, Temporal and the projection. Ack latency is send → ack (Temporal accepted the
 * signal); commit latency is send → the outbox row's commit time in PostgreSQL.
 */
export async function twinBurst(
  changes: number,
  window: number,
  progress: (line: string) => void,
  profile: BenchProfile = 'dev',
): Promise<TwinBurstResult> {
  const infra = await startBenchInfrastructure(profile);
  try {
    const stack = await startStack({
      temporalAddress: infra.temporalAddress,
      databaseUrl: infra.databaseUrl,
    });
    try {
      const tenantId = 'bench';
      const reg = await graphql(
        stack.apiUrl,
        `
          mutation {
            registerDevice(input: { tenantId: "bench", deviceId: "burst" }) {
              token
            }
          }
        `,
      );
      const device = await TestDevice.connect(stack.gatewayUrl);
      device.send({
        type: 'hello',
        seq: 1,
        tenant: tenantId,
        device: 'burst',
        token: reg.data.registerDevice.token,
      });
      await device.next((m) => m.type === 'welcome');

      const sentAt = new Map<number, number>();
      const ack = build({
        lowestDiscernibleValue: 1,
        highestTrackableValue: 600_000,
        numberOfSignificantValueDigits: 3,
      });
      let acked = 0;
      let next = 2;
      const last = changes + 1;
      const started = Date.now();
      await new Promise<void>((resolve) => {
        device.ws.on('message', (data) => {
          const m = JSON.parse(data.toString()) as { type: string; seq?: number };
          if (m.type !== 'ack' || m.seq === undefined) return;
          ack.recordValue(Math.max(1, Date.now() - sentAt.get(m.seq)!));
          acked++;
          if (acked % 1000 === 0) progress(`  ${acked}/${changes} acked`);
          if (acked === changes) resolve();
          else pump();
        });
        const pump = () => {
          while (next <= last && next - 2 - acked < window) {
            sentAt.set(next, Date.now());
            device.send({ type: 'report', seq: next, state: { n: next } });
            next++;
          }
        };
        pump();
      });
      const key = { tenantId, deviceId: 'burst' };
      // Wait for the last change to be committed, then read each change's commit time.
      for (;;) {
        const [row] = await stack.database
          .sql`select max(version) as v from outbox where tenant_id = ${tenantId} and kind = 'reported'`;
        const count = await stack.database
          .sql`select count(*)::int as c from outbox where tenant_id = ${tenantId} and kind = 'reported'`;
        if (row && count[0]!.c >= changes) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const wallSeconds = (Date.now() - started) / 1000;
      const commit = build({
        lowestDiscernibleValue: 1,
        highestTrackableValue: 600_000,
        numberOfSignificantValueDigits: 3,
      });
      const rows = await stack.database.sql`
        select (payload->'event'->>'seq')::int as seq, extract(epoch from created_at) * 1000 as committed
        from outbox where tenant_id = ${tenantId} and kind = 'reported'`;
      for (const r of rows)
        commit.recordValue(Math.max(1, Math.round(Number(r.committed) - sentAt.get(r.seq)!)));

      let runs = 0;
      let historyEvents = 0;
      let historyBytes = 0;
      let workflowTaskMs = 0;
      let activityMs = 0;
      for await (const execution of stack.temporal.workflow.list({
        query: `WorkflowId = "${deviceWorkflowId(key)}"`,
      })) {
        const history = await stack.temporal.workflow
          .getHandle(execution.workflowId, execution.runId)
          .fetchHistory();
        runs++;
        historyEvents += history.events?.length ?? 0;
        historyBytes += historyToJSON(history).length;
        const startedAt = new Map<string, number>();
        for (const event of history.events ?? []) {
          const at = tsToMs(event.eventTime);
          const id = String(event.eventId);
          if (event.workflowTaskStartedEventAttributes || event.activityTaskStartedEventAttributes)
            startedAt.set(id, at);
          const wft = event.workflowTaskCompletedEventAttributes;
          if (wft) workflowTaskMs += at - (startedAt.get(String(wft.startedEventId)) ?? at);
          const act = event.activityTaskCompletedEventAttributes;
          if (act) activityMs += at - (startedAt.get(String(act.startedEventId)) ?? at);
        }
      }
      device.close();
      return {
        changes,
        window,
        wallSeconds,
        changesPerSecond: Math.round(changes / wallSeconds),
        ackMs: percentiles(ack),
        commitMs: percentiles(commit),
        runs,
        historyEvents,
        historyBytes,
        eventsPerChange: Math.round((historyEvents / changes) * 100) / 100,
        busySlots: {
          workflowTasks: workflowTaskMs / 1000 / wallSeconds,
          activities: activityMs / 1000 / wallSeconds,
        },
      };
    } finally {
      await stack.stop();
    }
  } finally {
    await infra.stop();
  }
}
