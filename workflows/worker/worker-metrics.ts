import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from '../../db/client';
import { twinNoticeBacklog } from '../../db/twin-notices';
import { webhookBacklog } from '../../db/webhook-delivery';
import { notificationBacklog } from '../../db/alarm-notification-delivery';
import { cachedReading } from '../../observability/cached-reading';

/**
 * The worker's Prometheus metrics (its own listener: WORKER_METRICS_HOST/PORT): how fast twin
 * notices drain and how many wait, how far partner webhooks are behind. Temporal's task
 * latencies come from the SDK's Core (`temporal_*`), appended to the same page.
 */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly noticeSignals = new Counter({
    name: 'doppel_worker_twin_notice_signals_total',
    help: 'Twin notices this worker signalled to their twins, by outcome (sent; failed: sent again later)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly graceExpiries = new Counter({
    name: 'doppel_worker_grace_expiries_total',
    help: 'Lost connections this worker’s sweeper took offline at the end of their grace period',
    registers: [this.registry],
  });

  readonly notifications = new Counter({
    name: 'doppel_worker_alarm_notifications_total',
    help: 'Alarm notification messages this worker sent, by channel kind (webhook, email) and outcome (sent; failed: an attempt failed, retried with backoff)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor(database: Database) {
    collectDefaultMetrics({ register: this.registry, prefix: 'doppel_worker_' });
    const notices = cachedReading(() => twinNoticeBacklog(database), {
      waiting: 0,
      oldestSeconds: 0,
    });
    const webhooks = cachedReading(() => webhookBacklog(database), {
      events: 0,
      oldestSeconds: 0,
    });
    const gauge = (name: string, help: string, read: () => Promise<number>) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        async collect() {
          this.set(await read());
        },
      });
    gauge(
      'doppel_worker_twin_notices_waiting',
      'Twin notices waiting for a signal (fleet-wide): the backlog the drainers work through',
      async () => (await notices()).waiting,
    );
    gauge(
      'doppel_worker_twin_notice_age_seconds',
      'Age of the oldest twin notice waiting (fleet-wide): how far behind the twins are',
      async () => (await notices()).oldestSeconds,
    );
    const alarmNotifications = cachedReading(() => notificationBacklog(database), {
      pending: 0,
      oldestSeconds: 0,
    });
    gauge(
      'doppel_worker_alarm_notifications_pending',
      'Alarm notifications waiting to be sent (fleet-wide; digests not yet due are not counted)',
      async () => (await alarmNotifications()).pending,
    );
    gauge(
      'doppel_worker_alarm_notification_age_seconds',
      'Age of the oldest alarm notification waiting to be sent: how far behind notifications are',
      async () => (await alarmNotifications()).oldestSeconds,
    );
    gauge(
      'doppel_worker_webhook_backlog_events',
      'Outbox events enabled partner webhooks have not handled yet (summed over webhooks)',
      async () => (await webhooks()).events,
    );
    gauge(
      'doppel_worker_webhook_lag_seconds',
      'Age of the oldest outbox event an enabled partner webhook has not handled yet',
      async () => (await webhooks()).oldestSeconds,
    );
  }
}
