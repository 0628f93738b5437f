import { Writable } from 'node:stream';

/**
 * The in-process stack's log, kept in memory and shown only for a test that failed: a CI
 * failure then says what the gateway, worker and API did just before, while passing runs stay
 * quiet. (`TEST_LOG_LEVEL=debug` sends the log to stderr as it happens instead.)
 */
const LIMIT = 500;
const lines: string[] = [];

export const flightRecorder = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.length === 0) continue;
      lines.push(line);
      if (lines.length > LIMIT) lines.shift();
    }
    done();
  },
});

/** The recorded lines since the last call, emptied. */
export function takeRecordedLog(): string[] {
  return lines.splice(0);
}
