import type { Logger } from 'pino';
import { DoppelError } from '../twins/errors';
import { ConfigError } from './config';

type Stop = () => Promise<void>;

/** A repeated signal sooner than this is the same Ctrl-C relayed (npm, tsx), not a second one. */
const RELAYED_SIGNAL_MS = 2_000;

/**
 * Runs a process body; on SIGINT/SIGTERM runs the stop functions in reverse order of
 * registration. A second signal (not the first one relayed by npm or tsx) exits at once.
 * Config errors print without a stack.
 */
export async function runProcess(
  body: (onStop: (stop: Stop) => void) => Promise<Logger | void>,
): Promise<void> {
  const stops: Stop[] = [];
  let stopping = 0;
  let logger: Logger | void;
  const shutdown = async (code: number) => {
    if (stopping) {
      if (Date.now() - stopping < RELAYED_SIGNAL_MS) return;
      process.exit(130);
    }
    stopping = Date.now();
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        if (logger) logger.error({ err: error }, 'error while stopping');
        else console.error('error while stopping:', error);
      }
    }
    logger?.flush?.();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGHUP', () => void shutdown(0));
  try {
    logger = await body((stop) => stops.push(stop));
  } catch (error) {
    if (error instanceof ConfigError) console.error(error.message);
    else if (error instanceof DoppelError) {
      console.error(
        `start-up failed: [${error.code}] ${error.message}${error.hint ? `\n  fix: ${error.hint}` : ''}`,
      );
    } else {
      console.error(
        'start-up failed:',
        error instanceof Error ? (error.stack ?? error.message) : error,
      );
    }
    await shutdown(error instanceof ConfigError ? 2 : 1);
  }
}
