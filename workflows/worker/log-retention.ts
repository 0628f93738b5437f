import type { Database } from '../../db/client';
import { maintainLogPartitions, pruneUploads } from '../../db/device-logs';
import type { FileStore } from '../../db/file-store';

export interface LogRetentionOptions {
  /** Days of log lines kept (DEVICE_LOG_RETENTION_DAYS, default 30): whole day partitions go. */
  retentionDays: number;
  /** Days uploaded log files are kept (LOG_UPLOAD_RETENTION_DAYS, default 30). */
  uploadRetentionDays: number;
  /** How often it runs; default hourly. */
  intervalMs?: number;
}

/**
 * Device log retention, run by every worker (at start, then hourly): creates the next week's
 * day partitions of device_log_lines and drops those past retention, deletes expired uploads'
 * rows and then their files. Not a Temporal workflow like the outbox's: every step is
 * idempotent and the partition function serialises itself (an advisory lock), so several
 * workers running it is harmless and a workflow history would record nothing worth keeping.
 */
export function startLogRetention(
  database: Database,
  files: FileStore,
  logger: {
    info(message: string, meta: Record<string, unknown>): void;
    warn(message: string, meta: Record<string, unknown>): void;
  },
  options: LogRetentionOptions,
): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const run = async () => {
    try {
      const partitions = await maintainLogPartitions(database, {
        retentionDays: options.retentionDays,
        aheadDays: 7,
      });
      const gone = await pruneUploads(database, options.uploadRetentionDays * 86_400_000);
      for (const key of gone) await files.delete(key);
      if (partitions.dropped > 0 || gone.length > 0)
        logger.info('device log retention', { ...partitions, uploadsDeleted: gone.length });
    } catch (err) {
      logger.warn('device log retention failed; it runs again within the hour', {
        error: String(err),
      });
    }
  };
  running = run();
  const timer = setInterval(() => {
    running = running.then(run);
  }, options.intervalMs ?? 3_600_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
