/** The one watchdog per namespace that notices gateways that died without saying goodbye. */
export const GATEWAY_WATCHDOG_WORKFLOW = 'gatewayWatchdog';
export const GATEWAY_WATCHDOG_ID = 'gateway-watchdog';

export interface GatewayWatchdogArgs {
  /** How often online devices' gateways are checked. */
  readonly intervalMs: number;
  /** A gateway that has not picked up a ping within this time is lost. */
  readonly pingTimeoutMs: number;
}

export const DEFAULT_WATCHDOG: GatewayWatchdogArgs = { intervalMs: 30_000, pingTimeoutMs: 10_000 };
