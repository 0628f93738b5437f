import type { ExecutionResult, GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Credential } from './authenticate';
import type { CredentialWatch } from './credential-watch';

/** What the plugin reads of the context: the caller's credential and whether a socket holds it. */
export interface WatchedContext {
  readonly credential?: Credential;
  /** graphql-ws: the socket is watched as a whole and closed (start-api), not each stream. */
  readonly overSocket?: boolean;
}

/**
 * Ends an SSE subscription whose credential ends (a JWT expires, an API key is revoked): the
 * stream's last event is the `api:unauthenticated` error, then it completes.
 */
export function useCredentialWatch(watch: CredentialWatch): Plugin<WatchedContext> {
  return {
    onSubscribe({ args }) {
      const { credential, overSocket } = args.contextValue;
      if (!credential || overSocket) return;
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result))
            setResult(endedWith(result, (end) => watch.watch(credential, (e) => end(e.error))));
        },
      };
    },
  };
}

type Step = IteratorResult<ExecutionResult> | { ended: GraphQLError };

/**
 * The source's results until `watchEnd` reports an error, then that error as a last result.
 * Written by hand, not as an async generator: a generator's return() waits for its pending
 * next(), so a client going away would keep the subscription until the next event.
 */
function endedWith(
  source: AsyncIterable<ExecutionResult>,
  watchEnd: (end: (error: GraphQLError) => void) => () => void,
): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  let report!: (error: GraphQLError) => void;
  const ended = new Promise<Step>((resolve) => (report = (error) => resolve({ ended: error })));
  const unwatch = watchEnd(report);
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    unwatch();
    void iterator.return?.()?.catch(() => {});
  };
  const done = { done: true, value: undefined } as const;
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (finished) return done;
      const step: Step = await Promise.race([iterator.next(), ended]);
      if ('ended' in step) {
        finish();
        return { done: false, value: { errors: [step.ended] } };
      }
      if (step.done) finish();
      return step;
    },
    async return() {
      finish();
      return done;
    },
    async throw(error: unknown) {
      finish();
      throw error;
    },
  };
}
