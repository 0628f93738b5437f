/** The one watchdog per namespace that notices gateways that died without saying goodbye. */
export const GATEWAY_WATCHDOG_WORKFLOW = 'gatewayWatchdog';
export const GATEWAY_WATCHDOG_ID = 'gateway-watchdog';

export interface GatewayWatchdogArgs {
  /** How often online devices' gateways are checked. */
  readonly intervalMs: number;
  /** A ping not picked up within this time is missed. */
  readonly pingTimeoutMs: number;
  /**
   * A gateway is lost after this many pings missed in a row (default 3): one missed ping is
   * as likely a busy Temporal or gateway as a dead one, and a live gateway declared lost
   * leaves its connected devices offline in their twins until they say something.
   */
  readonly missesBeforeLost?: number;
  /** Pings each gateway has missed in a row, carried over by continue-as-new. */
  readonly misses?: ReadonlyArray<readonly [string, number]>;
}

export const DEFAULT_WATCHDOG: GatewayWatchdogArgs = {
  intervalMs: 30_000,
  pingTimeoutMs: 10_000,
  missesBeforeLost: 3,
};
