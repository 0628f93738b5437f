import { Cron } from 'croner';
import type { Schedule } from './schedule-schema';

export type { Schedule } from './schedule-schema';

const MINUTE = 60_000;
/** Enough to merge overlapping occurrences of any sane window; a bound, never a limit users meet. */
const MAX_STEPS = 1_000;

type Window = NonNullable<Schedule['maintenanceWindows']>[number];

/**
 * Whether a moment lies in one of the windows, and when that changes: the close of the window
 * (overlapping windows merged) when open, the next opening when closed, null when never.
 */
export function windowAt(
  now: Date,
  windows: readonly Window[],
  zone: string,
): { open: boolean; changesAt: Date | null } {
  const crons = windows.map((w) => ({
    cron: new Cron(w.cron, { timezone: zone, paused: true }),
    ms: w.durationMinutes * MINUTE,
  }));
  /** A window's first opening at or after `at` (croner answers strictly after, in whole seconds). */
  const opening = (c: (typeof crons)[number], at: number) => {
    let run = c.cron.nextRun(new Date(at - 1_000));
    while (run && run.getTime() < at) run = c.cron.nextRun(run);
    return run?.getTime() ?? null;
  };

  let end: number | null = null;
  for (const c of crons) {
    const start = opening(c, now.getTime() - c.ms + 1);
    if (start !== null && start <= now.getTime()) end = Math.max(end ?? 0, start + c.ms);
  }
  if (end === null) {
    const next = crons.map((c) => opening(c, now.getTime())).filter((t): t is number => t !== null);
    return { open: false, changesAt: next.length ? new Date(Math.min(...next)) : null };
  }
  // Open: extend the close by every opening before it (overlapping or back-to-back windows).
  let steps = 0;
  for (let grew = true; grew && steps < MAX_STEPS;) {
    grew = false;
    for (const c of crons) {
      for (let start = opening(c, now.getTime() - c.ms + 1); start !== null && start <= end;) {
        if (++steps > MAX_STEPS) break;
        if (start + c.ms > end) {
          end = start + c.ms;
          grew = true;
        }
        start = opening(c, start + 1);
      }
    }
  }
  return { open: true, changesAt: new Date(end) };
}

export type SchedulePhase = 'before-start' | 'open' | 'outside-window' | 'ended';

/**
 * Where a rollout stands in its schedule at `now`, and when that changes next (null: never).
 *
 * @example schedulePhase(new Date('2026-12-01T02:00:00Z'), { timezone: 'UTC',
 *   maintenanceWindows: [{ cron: '0 1 * * *', durationMinutes: 240 }] })
 *   // { phase: 'open', changesAt: 2026-12-01T05:00:00Z }
 */
export function schedulePhase(
  now: Date,
  schedule: Schedule | undefined,
): { phase: SchedulePhase; changesAt: Date | null } {
  if (!schedule) return { phase: 'open', changesAt: null };
  const t = now.getTime();
  const endAt = schedule.endAt ? Date.parse(schedule.endAt) : null;
  const beforeEnd = (at: Date | null) =>
    endAt === null ? at : new Date(at === null ? endAt : Math.min(at.getTime(), endAt));
  if (endAt !== null && t >= endAt) return { phase: 'ended', changesAt: null };
  if (schedule.startAt && t < Date.parse(schedule.startAt))
    return { phase: 'before-start', changesAt: new Date(schedule.startAt) };
  if (!schedule.maintenanceWindows) return { phase: 'open', changesAt: beforeEnd(null) };
  const w = windowAt(now, schedule.maintenanceWindows, schedule.timezone);
  return { phase: w.open ? 'open' : 'outside-window', changesAt: beforeEnd(w.changesAt) };
}
