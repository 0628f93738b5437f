import { afterEach } from 'vitest';
import { takeRecordedLog } from './support/flight-recorder';

// A failed test prints what the stack logged while it ran (test/support/flight-recorder.ts).
afterEach(({ task }) => {
  const log = takeRecordedLog();
  if (task.result?.state !== 'fail' || log.length === 0) return;
  process.stderr.write(
    `\n── stack log during "${task.name}" (last ${log.length} lines) ──\n${log.join('\n')}\n── end of stack log ──\n`,
  );
});
