import type { Logger } from 'pino';
import type { RolloutAnswer } from '../../db/rollout-store';
import type {
  BatchDelivery,
  CommandBatch,
  CommandBatchItem,
} from '../../workflows/rollout/batch-delivery';
import type { DeviceLinks } from '../device-links';
import { rolloutAnswerOf, type AnswerRecorder } from './answer-recorder';

/** Commands remembered as handed, so a retried batch does not send one twice. */
const REMEMBERED = 100_000;

/**
 * A fleet operation's batch for the devices this gateway holds: each command goes to its
 * device's connection at once, and the batch answers per item without waiting for the devices
 * (`not-connected` when the session is not here: the operation tries again on its next turn).
 * The devices' answers are recorded in `rollout_devices` as they come, and `handed` for every
 * command sent before the batch answers — so the operation never sends it again.
 */
export async function deliverCommandBatch(
  batch: CommandBatch,
  context: {
    links: DeviceLinks;
    answers: AnswerRecorder;
    /** `<session> <command id>` of commands already handed (bounded, oldest forgotten). */
    handed: Set<string>;
    logger: Logger;
  },
): Promise<BatchDelivery[]> {
  const { links, answers, handed } = context;
  const { command } = batch;
  const answer = (
    item: CommandBatchItem,
    said: RolloutAnswer['answer'],
    result: RolloutAnswer['result'] = null,
  ): RolloutAnswer => ({
    tenantId: batch.tenantId,
    rolloutId: batch.rolloutId,
    deviceId: item.deviceId,
    attempt: batch.attempt,
    answer: said,
    result,
  });
  const results = batch.items.map((item): BatchDelivery => {
    const session = links.control(item.sessionId);
    if (!session || Date.parse(item.expiresAt) <= Date.now()) return 'not-connected';
    const key = `${item.sessionId} ${command.commandId}`;
    if (handed.has(key)) return 'handed';
    handed.add(key);
    if (handed.size > REMEMBERED) handed.delete(handed.values().next().value!);
    if (!session.command) {
      void answers.record([answer(item, 'rejected')]);
      return 'handed';
    }
    session
      .command(command.name, command.params, command.timeoutMs, {
        id: command.commandId,
        expiresAt: item.expiresAt,
      })
      .then(
        // null: the connection ended before the device answered (MQTT); the time-out judges.
        (outcome) =>
          outcome &&
          answers.record([
            answer(item, rolloutAnswerOf(outcome), outcome.result as Record<string, unknown>),
          ]),
        (error: unknown) =>
          context.logger.error({ err: error, device: item.deviceId }, 'batch command failed'),
      );
    return 'handed';
  });
  await answers.record(
    batch.items.flatMap((item, i) => (results[i] === 'handed' ? [answer(item, 'handed')] : [])),
  );
  return results;
}
