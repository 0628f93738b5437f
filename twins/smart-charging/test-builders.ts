import type { ChargingSessionLoad } from './load-policy';

/** A session at station `cs1`; `n` orders start times so that lower `n` started earlier. */
export const aSession = (
  n: number,
  over: Partial<ChargingSessionLoad> = {},
): ChargingSessionLoad => ({
  sessionId: `s${n}`,
  stationId: 'cs1',
  connectorId: n,
  token: `tok${n}`,
  startedAt: new Date(Date.UTC(2026, 11, 5, 10, n)).toISOString(),
  ...over,
});
