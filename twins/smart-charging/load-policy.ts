/**
 * How a site's limit is shared among its charging sessions.
 *
 * - `equal-share`: every session that charges gets the same, except where its own minimum
 *   lifts it or its maximum caps it (max-min fair).
 * - `priority`: every session that charges first gets its minimum; what is left goes to the
 *   highest priority first (equal share within a priority), then to the next.
 *
 * In both, when the limit cannot give every session its minimum, sessions are admitted in
 * order of priority (then who started first) and the rest wait with 0 until power frees up.
 * Priorities come from the session itself, its connector (`<stationId>/<connectorId>`) or its
 * token; the highest of those counts.
 */
export interface LoadPolicy {
  kind: 'equal-share' | 'priority';
  /** In the limit's unit; a session's own minimum, when it has one, wins. 0 when absent. */
  minimumPerSession?: number;
  priorities?: {
    connectors?: Record<string, number>;
    tokens?: Record<string, number>;
  };
}

/** One active charging session as load management sees it. */
export interface ChargingSessionLoad {
  sessionId: string;
  stationId: string;
  connectorId: number;
  token?: string | null;
  /** When it started (ISO 8601): earlier sessions are admitted first among equal priorities. */
  startedAt: string;
  priority?: number;
  /** In the limit's unit. */
  minimum?: number;
  /** In the limit's unit: what the car or connector can take at most. */
  maximum?: number;
  /**
   * Its share is kept at this (in the limit's unit) and counted first: its station went offline
   * and may still charge on the last profile it heard, until the safe delay has passed.
   */
  held?: number;
}

/** A session's priority: the highest its own, its connector's and its token's rules give. */
export function priorityOf(session: ChargingSessionLoad, policy: LoadPolicy): number {
  const connector = policy.priorities?.connectors?.[`${session.stationId}/${session.connectorId}`];
  const token =
    session.token !== undefined && session.token !== null
      ? policy.priorities?.tokens?.[session.token]
      : undefined;
  const found = [session.priority, connector, token].filter(
    (value): value is number => value !== undefined,
  );
  return found.length === 0 ? 0 : Math.max(...found);
}
