import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { helloDevice, registerDevice } from '../test/support/stack';
import { graphql } from '../test/support/graphql';
import type { TestDevice } from '../test/support/device-client';
import {
  backendsOf,
  benchCommand,
  figuresLine,
  machine,
  median,
  withScratchStack,
  type BenchOptions,
  type BenchProfile,
} from './report';

const RAW_QUEUE = 'bench-raw-signals';

export interface PipelinePair {
  raw: number;
  /** Lifecycle-relevant changes (a declared field) acked by the gateway per second. */
  twinAcked: number;
  /** The same changes per second until every twin had noted its device's last value. */
  twinCommitted: number;
  /** Twin commits that noted a change, per second (fewer than changes when coalesced). */
  twinNotes: number;
  /** Plain reports (no twin) committed per second, one in flight per device. */
  plain: number;
}

/** The devices' model: its `status` is a field the twin must hear (docs/architecture.md). */
const PROFILE = {
  model: 'bench-bay',
  vendor: 'Bench',
  fields: {
    status: { kind: 'state', type: 'string' },
    n: { kind: 'telemetry', type: 'number' },
  },
  twin: { fields: ['status'] },
};

/**
 * Issue 5, 3d, and issue 18: lifecycle-relevant twin changes per second against raw Temporal
 * signal-with-start on the same server, side by side (raw, twin, raw, twin …). Both sides keep
 * the same number of calls in flight (one per device / per sink workflow) and wait for each
 * answer: raw is `signalWithStart` of an empty signal to a workflow that does nothing; twin is
 * a real device report through the gateway that changes a field its profile declares
 * lifecycle-relevant: committed to the record in a batch and acked, then a notice, a
 * signal-with-start by the worker's drainer, and the twin's commit noting it. The committed
 * rate counts until every twin noted its device's last value. Plain reports (no twin) are
 * measured alongside.
 */
export async function twinVsTemporal(opts: BenchOptions): Promise<string> {
  const profile = opts.profile ?? 'dev';
  const pairs = opts.quick ? 2 : 5;
  const seconds = opts.quick ? 5 : 7;
  const devices = opts.quick ? 50 : 200;
  return withScratchStack(
    async (stack, backends) => {
      const connection = await NativeConnection.connect({ address: backends.temporalAddress });
      const worker = await Worker.create({
        connection,
        namespace: 'default',
        taskQueue: RAW_QUEUE,
        workflowsPath: fileURLToPath(new URL('./raw-sink/workflow.ts', import.meta.url)),
      });
      const running = worker.run();
      try {
        const tenantId = 'bench-pipeline';
        const put = await graphql(
          stack.apiUrl,
          `
            mutation ($t: ID!, $p: JSONObject!) {
              putDeviceProfile(tenantId: $t, profile: $p) {
                version
              }
            }
          `,
          { t: tenantId, p: PROFILE },
        );
        if (put.errors) throw new Error(`profile refused: ${JSON.stringify(put.errors)}`);
        opts.progress(`  registering and connecting ${devices} devices`);
        const connected: TestDevice[] = [];
        for (let i = 0; i < devices; i += 25) {
          const batch = await Promise.all(
            Array.from({ length: Math.min(25, devices - i) }, async (_, j) => {
              const deviceId = `d-${i + j}`;
              const token = await registerDevice(stack, tenantId, deviceId, PROFILE.model);
              return helloDevice(stack.gatewayUrl, { tenantId, deviceId, token });
            }),
          );
          connected.push(...batch);
        }

        const count = async (kind: string) =>
          Number(
            (
              await stack.database.sql`select count(*)::int as c from outbox
              where tenant_id = ${tenantId} and kind = ${kind}`
            )[0]!.c,
          );
        /** Devices whose twin has not yet noted the last status they sent. */
        const behind = async (last: Map<string, string>) => {
          const rows = await stack.database.sql<{ device_id: string; status: string | null }[]>`
          select device_id, state->'noted'->>'status' as status from device_twins
          where tenant_id = ${tenantId}`;
          return rows.filter((r) => last.has(r.device_id) && last.get(r.device_id) !== r.status)
            .length;
        };
        // Every twin takes note of its first status before the clock starts.
        const lastStatus = new Map<string, string>();
        await Promise.all(
          connected.map((device, i) => {
            lastStatus.set(`d-${i}`, 'x');
            return new Promise<void>((resolve) => {
              device.ws.once('message', () => resolve());
              device.send({ type: 'report', seq: 2, state: { status: 'x', n: 0 } });
            });
          }),
        );
        while ((await behind(lastStatus)) > 0) await new Promise((r) => setTimeout(r, 200));

        const raw = async (): Promise<number> => {
          const until = Date.now() + seconds * 1000;
          let signals = 0;
          await Promise.all(
            Array.from({ length: devices }, async (_, i) => {
              const workflowId = `raw-${i}`;
              while (Date.now() < until) {
                await stack.temporal.workflow.signalWithStart('rawSignalSink', {
                  workflowId,
                  taskQueue: RAW_QUEUE,
                  signal: 'ping',
                  signalArgs: [],
                });
                signals++;
              }
            }),
          );
          return signals / seconds;
        };

        let seq = 2;
        /** Each device sends reports one at a time, each waiting for its ack, for `seconds`. */
        const drive = async (state: (device: number, n: number) => Record<string, unknown>) => {
          const until = Date.now() + seconds * 1000;
          let acked = 0;
          await Promise.all(
            connected.map(
              (device, i) =>
                new Promise<void>((resolve) => {
                  const send = () => {
                    if (Date.now() >= until) return resolve();
                    const n = ++seq;
                    device.ws.once('message', () => {
                      acked++;
                      send();
                    });
                    device.send({ type: 'report', seq: n, state: state(i, n) });
                  };
                  send();
                }),
            ),
          );
          return acked;
        };
        const twin = async () => {
          const notesBefore = await count('noted');
          const started = Date.now();
          const acked = await drive((i, n) => {
            const status = `s${n}`;
            lastStatus.set(`d-${i}`, status);
            return { status };
          });
          // Committed: until every twin has noted its device's last status.
          while ((await behind(lastStatus)) > 0) await new Promise((r) => setTimeout(r, 100));
          const wall = (Date.now() - started) / 1000;
          return {
            acked: acked / seconds,
            committed: acked / wall,
            notes: ((await count('noted')) - notesBefore) / wall,
          };
        };
        const plain = async () => (await drive((_i, n) => ({ n }))) / seconds;

        const results: PipelinePair[] = [];
        for (let round = 0; round < pairs; round++) {
          const r = await raw();
          const t = await twin();
          const p = await plain();
          results.push({
            raw: r,
            twinAcked: t.acked,
            twinCommitted: t.committed,
            twinNotes: t.notes,
            plain: p,
          });
          opts.progress(
            `  pair ${round + 1}/${pairs}: raw ${r.toFixed(0)} signals/s, twin ${t.acked.toFixed(0)} acked/s, ${t.committed.toFixed(0)} committed/s (${t.notes.toFixed(0)} twin notes/s); plain reports ${p.toFixed(0)}/s`,
          );
        }
        for (const device of connected) device.close();
        return section(results, { pairs, seconds, devices, quick: opts.quick, profile });
      } finally {
        worker.shutdown();
        await running.catch(() => undefined);
        await connection.close();
      }
    },
    profile,
    { twinNoticeRate: 100_000 },
  );
}

function section(
  results: PipelinePair[],
  run: { pairs: number; seconds: number; devices: number; quick: boolean; profile: BenchProfile },
): string {
  const raw = median(results.map((r) => r.raw));
  const acked = median(results.map((r) => r.twinAcked));
  const committed = median(results.map((r) => r.twinCommitted));
  const ratioAcked = median(results.map((r) => r.twinAcked / r.raw));
  const ratioCommitted = median(results.map((r) => r.twinCommitted / r.raw));
  const notes = median(results.map((r) => r.twinNotes));
  const plain = median(results.map((r) => r.plain));
  const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
  const target = 0.8;
  return `## Twin pipeline against raw Temporal signals (3d)

Command: \`${benchCommand(run.quick, run.profile)}\`. Machine: ${machine()}.
${run.devices} devices (raw: ${run.devices} sink workflows), one call in flight each, ${run.seconds} s
per side, ${run.pairs} pairs run side by side (raw, twin, raw, twin …) on ${backendsOf(run.profile)};
medians of the pairs, ratio = median of the pairs' ratios.
Raw = \`signalWithStart\` of an empty signal to a workflow that does nothing. Twin = a
lifecycle-relevant change (a report changing \`status\`, which the devices' profile declares the
twin must hear; docs/architecture.md): acked when the gateway's batch that holds it is
committed to the device record; committed = until every twin has noted its device's last
status (notice → the worker's drainer, admission rate unlimited here → signal-with-start →
the twin's commit). A device that changes again before its twin looked costs its twin one
signal for both (coalesced): "twin notes" counts the twins' commits. Plain reports = reports
that change nothing the twin hears (committed to the record, no Temporal action).

| | per second (median) | ratio to raw | target |
|---|---|---|---|
| raw signal-with-start | ${raw.toFixed(0)} | 1 | |
| lifecycle-relevant changes, acked | ${acked.toFixed(0)} | ${pct(ratioAcked)} | |
| lifecycle-relevant changes, committed (twins converged) | ${committed.toFixed(0)} | ${pct(ratioCommitted)} | ≥ ${pct(target)} |
| twin notes (twin commits) | ${notes.toFixed(0)} | ${pct(notes / raw)} | |
| plain reports, committed and acked | ${plain.toFixed(0)} | ${pct(plain / raw)} | |

Pairs (raw / changes acked / changes committed / twin notes / plain reports per second): ${results
    .map(
      (r) =>
        `${r.raw.toFixed(0)} / ${r.twinAcked.toFixed(0)} / ${r.twinCommitted.toFixed(0)} / ${r.twinNotes.toFixed(0)} / ${r.plain.toFixed(0)}`,
    )
    .join('; ')}.
${
  ratioCommitted >= target
    ? 'The twin pipeline meets the target.'
    : `Short of the target: a change the twin must hear costs an ingest commit, a notice, a signal-with-start, a workflow task and the twin's commit (a local activity, one PostgreSQL transaction) on the same 2-core machine that runs the Temporal server, the worker, the gateway and the load.`
}
${figuresLine({
  section: 'pipeline',
  profile: run.profile,
  quick: run.quick,
  figures: [
    {
      key: 'raw-per-s',
      label: 'raw signal-with-start per s',
      value: Math.round(raw),
      better: 'higher',
    },
    {
      key: 'acked-per-s',
      label: 'lifecycle-relevant changes acked per s',
      value: Math.round(acked),
      better: 'higher',
    },
    {
      key: 'committed-per-s',
      label: 'lifecycle-relevant changes committed per s',
      value: Math.round(committed),
      better: 'higher',
    },
    {
      key: 'plain-per-s',
      label: 'plain reports committed per s',
      value: Math.round(plain),
      better: 'higher',
    },
    {
      key: 'committed-ratio',
      label: 'committed ÷ raw',
      value: Number(ratioCommitted.toFixed(2)),
      better: 'higher',
    },
  ],
})}`;
}
