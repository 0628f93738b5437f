import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Routes the Temporal SDK's own logs (worker state, workflow and activity loggers) into the
 * process logger, so one process writes one log format, and leaves signals to the process.
 * Must run before any connection.
 */
export function installTemporalLogging(logger: Logger): void {
  const temporal = logger.child({ component: 'temporal' });
  const level = (
    logger.levelVal <= 20 ? 'DEBUG' : logger.levelVal <= 30 ? 'INFO' : 'WARN'
  ) as LogLevel;
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      temporal[LEVELS[entry.level]]({ ...entry.meta }, entry.message);
    }),
    // The SDK would shut every worker down on SIGINT/SIGTERM by itself, beside the process's
    // own ordered stop (deploy/process.ts), which then found them draining already
    // (IllegalStateError). The process alone decides when its workers stop.
    shutdownSignals: [],
  });
}
