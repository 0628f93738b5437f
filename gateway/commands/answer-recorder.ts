import type { Logger } from 'pino';
import type { Database } from '../../db/client';
import { recordRolloutAnswers, type RolloutAnswer } from '../../db/rollout-store';
import type { CommandOutcome } from '../../twins/device';

/** A device's answer in the terms a rollout judges by. */
export function rolloutAnswerOf(outcome: CommandOutcome): RolloutAnswer['answer'] {
  switch (outcome.status) {
    case 'succeeded':
      return 'accepted';
    case 'rejected':
      return 'rejected';
    case 'timed-out':
      return 'timeout';
    default:
      return 'failed';
  }
}

/** How long answers gather before one statement writes them. */
const FLUSH_MS = 100;

/**
 * Writes what devices answered to fleet operations' commands into `rollout_devices`, gathered
 * into one statement per FLUSH_MS. A failed write is tried again with the next batch (the
 * rollout's time-out judges a device whose answer never lands).
 */
export class AnswerRecorder {
  private waiting: RolloutAnswer[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly database: Database,
    private readonly logger: Logger,
  ) {}

  private after: Array<() => void> = [];

  /** Resolves once the answers were written (or failed to be, and wait for the next try). */
  record(answers: readonly RolloutAnswer[]): Promise<void> {
    this.waiting.push(...answers);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
    return new Promise((resolve) => this.after.push(resolve));
  }

  private flush(): Promise<void> {
    this.timer = null;
    const batch = this.waiting.splice(0);
    const done = this.after.splice(0);
    this.writing = this.writing
      .then(() => recordRolloutAnswers(this.database, batch))
      .catch((error: unknown) => {
        this.logger.error({ err: error, answers: batch.length }, 'rollout answers not recorded');
        this.waiting.unshift(...batch);
        this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS * 10);
      })
      .finally(() => done.forEach((resolve) => resolve()));
    return this.writing;
  }

  /** Writes what waits (shutdown). */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    if (this.waiting.length > 0) await this.flush();
    await this.writing;
  }
}
