import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import type { Logger } from 'pino';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** A free port on loopback for a listener that cannot tell which port it took. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Temporal Core's metrics (workflow and activity task schedule-to-start and execution
 * latencies, sticky cache, pollers: `temporal_*`), served by Core itself on a loopback port of
 * its own; the worker's metrics listener appends them to its page (WORKER_METRICS_PORT), so
 * an operator scrapes one address per worker. Returns that host:port.
 */
export async function temporalCoreMetrics(): Promise<{
  address: string;
  telemetryOptions: NonNullable<Parameters<typeof Runtime.install>[0]['telemetryOptions']>;
}> {
  const address = `127.0.0.1:${await freeLoopbackPort()}`;
  return {
    address,
    telemetryOptions: {
      metrics: { prometheus: { bindAddress: address, useSecondsForDurations: true } },
    },
  };
}

/**
 * Routes the Temporal SDK's own logs (worker state, workflow and activity loggers) into the
 * process logger, so one process writes one log format, and leaves signals to the process.
 * With `core` (a worker), Core serves its metrics at `core.address` (temporalCoreMetrics).
 * Must run before any connection.
 */
export function installTemporalLogging(
  logger: Logger,
  core?: Awaited<ReturnType<typeof temporalCoreMetrics>>,
): void {
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
    ...(core ? { telemetryOptions: core.telemetryOptions } : {}),
  });
}
