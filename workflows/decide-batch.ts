import { log } from '@temporalio/workflow';
import { isRejection, type Rejection } from '../twins/errors';
import type { Queued } from './twin-queue';

/**
 * Runs a batch of queued commands through a twin's decide/evolve: the events to record, the
 * state after them, and the replies owed to waiting updates (each gets the state right after
 * its own command, or its rejection), and the signalled commands refused (logged too, since
 * nobody waits for their answer). Nothing is projected here.
 */
export async function decideBatch<Command extends { type: string }, State, Event>(
  state: State,
  items: readonly Queued<Command, State>[],
  decide: (state: State, command: Command) => Event[] | Rejection | Promise<Event[] | Rejection>,
  evolveAll: (state: State, events: readonly Event[]) => State,
): Promise<{
  next: State;
  events: Event[];
  replies: Array<() => void>;
  refused: Array<{ command: Command; rejection: Rejection }>;
}> {
  const events: Event[] = [];
  const replies: Array<() => void> = [];
  const refused: Array<{ command: Command; rejection: Rejection }> = [];
  let next = state;
  for (const { command, reply } of items) {
    const outcome = await decide(next, command);
    if (isRejection(outcome)) {
      if (reply) replies.push(() => reply(outcome));
      else {
        refused.push({ command, rejection: outcome });
        log.warn('command refused', {
          command: command.type,
          code: outcome.code,
          reason: outcome.message,
        });
      }
      continue;
    }
    events.push(...outcome);
    next = evolveAll(next, outcome);
    const after = next;
    if (reply) replies.push(() => reply(after));
  }
  return { next, events, replies, refused };
}
