// A number that moves when a subscription speaks, at most once per `everyMs` however often it
// does (the last event always counts): pages refetch what they show on it, not on every event.
import { useEffect, useRef, useState } from 'react';
import { useSubscription } from 'urql';

export interface LiveVersion<T> {
  version: number;
  /** The subscription's latest event. */
  latest: T | undefined;
  /** False once the subscription failed (the page is no longer live). */
  live: boolean;
}

export function useLiveVersion<T = unknown>(
  query: string,
  variables: Record<string, unknown>,
  everyMs: number,
): LiveVersion<T> {
  const [version, setVersion] = useState(0);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [{ data, error }] = useSubscription<T>({ query, variables });
  useEffect(() => {
    if (!data || pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      setVersion((v) => v + 1);
    }, everyMs);
  }, [data, everyMs]);
  useEffect(
    () => () => {
      if (pending.current) clearTimeout(pending.current);
    },
    [],
  );
  return { version, latest: data, live: !error };
}
