import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Database } from '../../db/client';
import {
  claimTwinNotices,
  settleTwinNotices,
  TWIN_NOTICE_CHANNEL,
  type TwinNotice,
} from '../../db/twin-notices';
import { sweepAlarms } from '../../db/alarm-sweep';
import { expireGracePeriods } from '../../db/device-ingest';
import { sendToDeviceTwin } from '../device-twin/client';
import { TokenBucket } from '../../twins/token-bucket';
import { SpanKind } from '@opentelemetry/api';
import { contextFrom, traced, traceparentOf, tracing } from '../../observability/tracing';

export interface NoticeDrainerOptions {
  /** Signals per second this worker sends to twins at most (its share of the cluster's capacity). */
  ratePerSecond: number;
  /** Signals in flight at once. */
  concurrency?: number;
  /** How often the grace sweeper looks for lost connections past their grace period. */
  sweepEveryMs?: number;
  /** How often the alarm sweep judges what time alone changes (default 5 s). */
  alarmSweepEveryMs?: number;
  onError: (error: unknown) => void;
  /** Notices settled: how many twins accepted their signal and how many did not (metrics). */
  onSettled?: (sent: number, failed: number) => void;
  /** Lost connections the sweeper took offline (metrics). */
  onSwept?: (n: number) => void;
}

export interface NoticeDrainer {
  /** Signals sent and notices waiting as this worker saw them last. */
  readonly stats: { sent: number; failed: number; swept: number; alarmTransitions: number };
  stop(): Promise<void>;
}

/**
 * Tells twins what the ingest path committed that needs them (docs/architecture.md,
 * "notices"): claims waiting notices oldest first, at most `ratePerSecond` a second, signals
 * each twin (signal-with-start: a twin not running yet starts and loads its record), and
 * deletes the notice once Temporal accepted the signal. A failed signal leaves its notice for
 * the next round: a storm fills the table and drains at the admitted rate, nothing is dropped.
 * Also runs the fleet's grace sweeper (expireGracePeriods) every `sweepEveryMs`, and the alarm
 * sweep (sweepAlarms, docs/alarms.md) every `alarmSweepEveryMs`.
 */
export async function startNoticeDrainer(
  database: Database,
  client: Client,
  options: NoticeDrainerOptions,
): Promise<NoticeDrainer> {
  const sender = `notices:${randomUUID()}`;
  const concurrency = options.concurrency ?? 64;
  const rate = Math.max(1, options.ratePerSecond);
  const stats = { sent: 0, failed: 0, swept: 0, alarmTransitions: 0 };
  let batch = 0;
  const bucket = new TokenBucket(rate);
  let stopped = false;
  let wake: (() => void) | null = null;
  const nudge = () => {
    wake?.();
    wake = null;
  };
  const listener = await database.sql.listen(TWIN_NOTICE_CHANNEL, nudge, nudge);

  /** `traceparent`: the span the twin projects what the notice changes under. */
  const send = async (notice: TwinNotice, traceparent?: string) => {
    await sendToDeviceTwin(client, notice, {
      sender,
      batch: ++batch,
      commands: [{ type: 'observe', at: new Date().toISOString(), reasons: notice.reasons }],
      ...(traceparent ? { traceparent } : {}),
    });
  };
  // A traced notice continues its device message's trace: the signal's span (and the
  // workflow's, through Temporal headers) are children of this one, and so is the twin's
  // projection of what the notice changes (its signal carries this span's traceparent).
  const signal = (notice: TwinNotice) =>
    notice.traceparent && tracing()
      ? traced('doppel-worker', 'twin notice', () => send(notice, traceparentOf()), {
          parent: contextFrom(notice.traceparent),
          kind: SpanKind.PRODUCER,
          attributes: {
            'doppel.tenant': notice.tenantId,
            'doppel.device': notice.deviceId,
            'doppel.reasons': [...notice.reasons],
          },
        })
      : send(notice);

  // A pool: up to `concurrency` signals in flight at all times; a finished one frees its slot
  // for the next claimed notice at once (a round never waits for its slowest signal).
  let inFlight = 0;
  let done: { sent: TwinNotice[]; failed: TwinNotice[] } = { sent: [], failed: [] };
  let settling: Promise<void> | null = null;
  const settle = () => {
    if (settling || done.sent.length + done.failed.length === 0) return;
    const { sent, failed } = done;
    done = { sent: [], failed: [] };
    settling = settleTwinNotices(database, sent, failed)
      .then(() => {
        stats.sent += sent.length;
        stats.failed += failed.length;
        options.onSettled?.(sent.length, failed.length);
        if (failed.length > 0) options.onError(new Error(`${failed.length} twin notices not sent`));
      })
      .catch((error: unknown) => {
        // Not settled: the claims expire and the notices are sent again (a twin's observe is
        // idempotent).
        options.onError(error);
      })
      .finally(() => {
        settling = null;
        settle();
        nudge();
      });
  };

  /** Claims and sends what the free slots and tokens allow; returns how many it started. */
  const fill = async (): Promise<number> => {
    const room = Math.floor(Math.min(bucket.available(), concurrency - inFlight));
    if (room < 1) return 0;
    const claimed = await claimTwinNotices(database, room);
    bucket.take(claimed.length);
    for (const notice of claimed) {
      inFlight++;
      signal(notice)
        .then(
          () => done.sent.push(notice),
          () => done.failed.push(notice),
        )
        .finally(() => {
          inFlight--;
          settle();
          nudge();
        });
    }
    return claimed.length === room ? claimed.length : 0;
  };

  const drainLoop = (async () => {
    while (!stopped) {
      let busy = 0;
      try {
        busy = await fill();
      } catch (error) {
        options.onError(error);
      }
      const untilToken = bucket.msUntilNext();
      if (busy > 0 && untilToken === 0 && inFlight < concurrency) continue;
      if (untilToken > 0) {
        // Out of tokens: wait for the next one (a notice arriving meanwhile must wait too).
        await new Promise((resolve) => setTimeout(resolve, untilToken));
        continue;
      }
      // Wait for a free slot, a notice, or poll now and then (a NOTIFY missed while reconnecting).
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 1_000);
      });
    }
    while (inFlight > 0 || settling) {
      settle();
      await (settling ?? new Promise((resolve) => setTimeout(resolve, 20)));
    }
  })();

  let alarmsSweptAt = 0;
  const sweepLoop = (async () => {
    while (!stopped) {
      try {
        let n: number;
        do {
          n = await expireGracePeriods(database);
          stats.swept += n;
          if (n > 0) options.onSwept?.(n);
        } while (n >= 1_000 && !stopped);
        // What time alone changes about alarms (silence, offline, delays, escalation).
        if (Date.now() - alarmsSweptAt >= (options.alarmSweepEveryMs ?? 5_000)) {
          alarmsSweptAt = Date.now();
          stats.alarmTransitions += (await sweepAlarms(database)).length;
        }
      } catch (error) {
        options.onError(error);
      }
      await new Promise((resolve) => setTimeout(resolve, options.sweepEveryMs ?? 1_000));
    }
  })();

  return {
    stats,
    async stop() {
      stopped = true;
      nudge();
      await listener.unlisten();
      await Promise.all([drainLoop, sweepLoop]);
    },
  };
}
