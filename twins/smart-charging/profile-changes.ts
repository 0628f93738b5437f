import type { SessionShare } from './allocate';

/** A session whose limit must change on its station. `from` is null when it has none yet. */
export interface ProfileChange {
  sessionId: string;
  stationId: string;
  connectorId: number;
  from: number | null;
  to: number;
}

/**
 * What to send after a recomputation, in two rounds: first every session whose limit goes
 * down, then (once those are acknowledged) every one whose limit goes up or is new. Raising
 * first could, for a moment, let the stations together draw more than the site allows.
 * Held shares are left alone: their stations are offline and hear nothing.
 *
 * @example profileChanges(new Map([['s1', 11000]]), shares) // { lower: [s1 → 7333], raise: [s2 → 7333] }
 */
export function profileChanges(
  previous: ReadonlyMap<string, number>,
  next: readonly SessionShare[],
): { lower: ProfileChange[]; raise: ProfileChange[] } {
  const lower: ProfileChange[] = [];
  const raise: ProfileChange[] = [];
  for (const share of next) {
    if (share.held) continue;
    const from = previous.get(share.sessionId) ?? null;
    if (from === share.limit) continue;
    const change = { ...pick(share), from, to: share.limit };
    if (from !== null && share.limit < from) lower.push(change);
    else raise.push(change);
  }
  return { lower, raise };
}

const pick = ({ sessionId, stationId, connectorId }: SessionShare) => ({
  sessionId,
  stationId,
  connectorId,
});
