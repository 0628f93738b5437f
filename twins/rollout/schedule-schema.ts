import { Cron } from 'croner';
import { z } from 'zod';

/*
 * The schedule's schema lives apart from schedulePhase: workflow code imports schedule.ts, and
 * every workflow instantiates every module of the bundle, so zod stays out of it (see
 * test/workflow-bundle.test.ts).
 */

const timezone = z
  .string()
  .min(1)
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'an IANA time zone, e.g. Europe/Berlin');

const cron = z
  .string()
  .min(9)
  .max(128)
  .superRefine((pattern, ctx) => {
    try {
      new Cron(pattern, { paused: true });
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `a cron expression (minute hour day month weekday), e.g. "0 1 * * *": ${(error as Error).message}`,
      });
    }
  });

/**
 * When a rollout may command devices (the fields AWS IoT Jobs calls a scheduling config):
 * not before `startAt`, nothing new after `endAt`, and — with maintenance windows — only while
 * one is open. A device commanded inside a window is still judged after it closes.
 *
 * @example { startAt: '2026-12-01T00:00:00Z', timezone: 'Europe/Berlin',
 *            maintenanceWindows: [{ cron: '0 1 * * 1-5', durationMinutes: 240 }] }
 */
export const scheduleSchema = z
  .object({
    startAt: z.iso.datetime({ offset: true }).optional(),
    endAt: z.iso.datetime({ offset: true }).optional(),
    /** The zone the windows' cron expressions are read in (daylight saving included). */
    timezone: timezone.default('UTC'),
    maintenanceWindows: z
      .array(
        z
          .object({
            /** When a window opens: minute hour day-of-month month day-of-week. */
            cron,
            durationMinutes: z
              .number()
              .int()
              .min(1)
              .max(7 * 24 * 60),
          })
          .strict(),
      )
      .min(1)
      .max(20)
      .optional(),
  })
  .strict()
  .refine((s) => !s.startAt || !s.endAt || Date.parse(s.endAt) > Date.parse(s.startAt), {
    message: 'endAt must be after startAt',
    path: ['endAt'],
  });

export type Schedule = z.infer<typeof scheduleSchema>;
