import nodemailer from 'nodemailer';
import type { Database } from '../../db/client';
import {
  claimDueNotifications,
  cutDigests,
  markNotificationsFailed,
  markNotificationsSent,
  routeAlarmEvents,
  scheduleReminders,
  type ClaimedMessage,
} from '../../db/alarm-notification-delivery';
import type { Egress } from '../../outbound/egress';
import { postSigned } from '../../outbound/signed-post';
import { wakeableWait } from '../../db/wakeable-wait';

/** The SMTP server e-mail channels go through (SMTP_* in the worker's environment). */
export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (465); otherwise STARTTLS when the server offers it. */
  readonly secure: boolean;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  /** The From: address. */
  readonly from: string;
}

export interface AlarmNotifierOptions {
  readonly egress: Egress;
  /** Absent: e-mail channels' notifications fail (and are retried) with `smtp not configured`. */
  readonly smtp?: SmtpSettings | undefined;
  /** How often routing, reminders, digests and due sends are looked at (default 2 s). */
  readonly tickMs?: number;
  /** The first retry's delay, doubled each attempt up to `maxRetryMs` (default 5 s, 10 min). */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
  /** Attempts before a notification is given up (`failed`; default 10). */
  readonly maxAttempts?: number;
  /** Per-attempt time-out of a webhook POST or an SMTP exchange (default 10 s). */
  readonly timeoutMs?: number;
  readonly onSent?: (kind: 'webhook' | 'email', n: number) => void;
  readonly onFailed?: (kind: 'webhook' | 'email', n: number) => void;
  readonly onError?: (error: unknown) => void;
}

export interface AlarmNotifier {
  stop(): Promise<void>;
}

/** The JSON a webhook channel receives (also the e-mail's source). */
export function messageBody(m: ClaimedMessage) {
  const items = m.items.map(({ transition, payload }) => ({
    transition,
    kind: payload.event.type,
    event: payload.event,
    alarm: payload.alarm,
  }));
  return m.digest
    ? {
        type: 'alarm.digest',
        id: m.messageId,
        tenantId: m.tenantId,
        channelId: m.channelId,
        events: items,
      }
    : {
        type: `alarm.${items[0]!.kind}`,
        id: m.messageId,
        tenantId: m.tenantId,
        channelId: m.channelId,
        ...items[0]!,
      };
}

const line = (i: {
  type: string;
  alarm: {
    severity: string;
    alarmType: string;
    deviceId: string;
    alarmId: string;
    siteId: string | null;
  };
  event: { at: string; actor: string };
}) =>
  `${i.alarm.severity.toUpperCase()} ${i.alarm.alarmType} on ${i.alarm.deviceId}: ${i.type} at ${i.event.at} by ${i.event.actor} (alarm ${i.alarm.alarmId}${i.alarm.siteId ? `, site ${i.alarm.siteId}` : ''})`;

/** Subject and text of the e-mail for a message. */
export function emailOf(m: ClaimedMessage): { subject: string; text: string } {
  const items = m.items.map(({ payload }) => ({
    type: payload.event.type,
    event: payload.event,
    alarm: payload.alarm,
  }));
  if (m.digest)
    return {
      subject: `[Doppel] ${items.length} alarm events (digest)`,
      text: `${items.map(line).join('\n')}\n\nchannel ${m.channelId}, tenant ${m.tenantId}, digest ${m.messageId}\n`,
    };
  const i = items[0]!;
  return {
    subject: `[Doppel] ${i.alarm.severity.toUpperCase()} ${i.alarm.alarmType} ${i.type} on ${i.alarm.deviceId}`,
    text: `${line(i)}\n\n${JSON.stringify(i.alarm, null, 2)}\n\nchannel ${m.channelId}, tenant ${m.tenantId}, notification ${m.messageId}\n`,
  };
}

/**
 * The alarm notifier (docs/alarms.md, "Notifications"), one per worker: each tick routes new
 * alarm events from the outbox to channels, schedules reminders, cuts due digests and sends
 * what is due (a tick, not the outbox's NOTIFY: that fires on every twin change). Everything it knows is in PostgreSQL, so
 * a restart goes on where the last one stood; several workers share the work.
 */
export async function startAlarmNotifier(
  database: Database,
  options: AlarmNotifierOptions,
): Promise<AlarmNotifier> {
  const tickMs = options.tickMs ?? 2_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retryMs = options.retryMs ?? 5_000;
  const maxRetryMs = options.maxRetryMs ?? 600_000;
  const maxAttempts = options.maxAttempts ?? 10;
  const onError = options.onError ?? (() => {});
  const smtp = options.smtp;
  const mailer = smtp
    ? nodemailer.createTransport({
        host: smtp.host,
        port: smtp.port,
        secure: smtp.secure,
        ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      })
    : null;

  async function send(m: ClaimedMessage): Promise<void> {
    if (!m.channel) throw new Error('channel removed');
    if (m.channel.kind === 'webhook') {
      const response = await postSigned(options.egress, {
        url: m.channel.url,
        body: JSON.stringify(messageBody(m)),
        signing: {
          scheme: 'standard-webhooks',
          secret: m.secret ?? '',
          id: `alarm-notification-${m.messageId}`,
        },
        contentType: 'application/json',
        timeoutMs,
      });
      await response.body?.cancel();
      if (response.status < 200 || response.status >= 300)
        throw new Error(`the receiver answered ${response.status}`);
      return;
    }
    if (!mailer || !smtp) throw new Error('smtp not configured (SMTP_HOST)');
    const { subject, text } = emailOf(m);
    await mailer.sendMail({
      from: smtp.from,
      to: [...m.channel.to],
      subject,
      text,
      headers: { 'X-Doppel-Notification': m.messageId },
      messageId: `<alarm-notification-${m.messageId}.${m.tenantId}@doppel>`,
    });
  }

  let stopped = false;
  const sleep = wakeableWait();

  const loop = (async () => {
    while (!stopped) {
      try {
        await routeAlarmEvents(database);
        await scheduleReminders(database);
        await cutDigests(database);
        const due = await claimDueNotifications(database, timeoutMs * 3);
        await Promise.all(
          due.map(async (m) => {
            const kind = m.channel?.kind ?? 'webhook';
            try {
              await send(m);
              await markNotificationsSent(database, m.notificationIds);
              options.onSent?.(kind, 1);
            } catch (error) {
              const delay = Math.min(retryMs * 2 ** (m.attempts - 1), maxRetryMs);
              await markNotificationsFailed(
                database,
                m.notificationIds,
                error instanceof Error ? error.message : String(error),
                delay,
                maxAttempts,
              );
              options.onFailed?.(kind, 1);
            }
          }),
        );
      } catch (error) {
        onError(error);
      }
      if (stopped) break;
      await sleep.wait(tickMs);
    }
  })();

  return {
    async stop() {
      stopped = true;
      sleep.wake();
      await loop;
      mailer?.close();
    },
  };
}
