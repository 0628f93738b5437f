import { continueAsNew, log, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { TwinActivities } from '../activities';
import type { GatewayActivities } from '../device-twin/gateway-activities';
import { gatewayTaskQueue } from '../task-queues';
import type { GatewayWatchdogArgs } from './messages';

const { onlineGatewayNodes, markGatewayLost } = proxyActivities<TwinActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '10 seconds' },
});

/**
 * A gateway process that crashes leaves its devices online in their twins. Every interval,
 * the watchdog pings each gateway that holds online devices on that gateway's own task queue;
 * a gateway whose worker does not pick the ping up in time is gone, and its devices go offline
 * with the reason `gateway-lost`.
 */
export async function gatewayWatchdog(args: GatewayWatchdogArgs): Promise<void> {
  for (;;) {
    for (const node of await onlineGatewayNodes()) {
      const gateway = proxyActivities<GatewayActivities>({
        taskQueue: gatewayTaskQueue(node),
        scheduleToStartTimeout: args.pingTimeoutMs,
        startToCloseTimeout: '5 seconds',
        retry: { maximumAttempts: 1 },
      });
      try {
        await gateway.ping();
      } catch {
        const devices = await markGatewayLost(node);
        log.warn('gateway lost; its devices are offline', { node, devices });
      }
    }
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof gatewayWatchdog>(args);
    await sleep(args.intervalMs);
  }
}
