import {
  continueAsNew,
  log,
  patched,
  proxyActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
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
 * a gateway that misses `missesBeforeLost` pings in a row is gone, and its devices go offline
 * with the reason `gateway-lost`.
 */
export async function gatewayWatchdog(args: GatewayWatchdogArgs): Promise<void> {
  // Watchdogs started before counting misses declared a gateway lost at its first miss.
  const missesBeforeLost = patched('gateway-lost-after-missed-pings-in-a-row')
    ? (args.missesBeforeLost ?? 3)
    : 1;
  const misses = new Map(args.misses ?? []);
  for (;;) {
    const nodes = await onlineGatewayNodes();
    for (const node of [...misses.keys()]) if (!nodes.includes(node)) misses.delete(node);
    for (const node of nodes) {
      const gateway = proxyActivities<GatewayActivities>({
        taskQueue: gatewayTaskQueue(node),
        scheduleToStartTimeout: args.pingTimeoutMs,
        startToCloseTimeout: '5 seconds',
        retry: { maximumAttempts: 1 },
      });
      try {
        await gateway.ping();
        misses.delete(node);
      } catch {
        const missed = (misses.get(node) ?? 0) + 1;
        if (missed < missesBeforeLost) {
          misses.set(node, missed);
          log.warn('gateway missed a ping', { node, missed, missesBeforeLost });
          continue;
        }
        misses.delete(node);
        const devices = await markGatewayLost(node);
        log.warn('gateway lost; its devices are offline', { node, devices });
      }
    }
    if (workflowInfo().continueAsNewSuggested)
      await continueAsNew<typeof gatewayWatchdog>({ ...args, misses: [...misses] });
    await sleep(args.intervalMs);
  }
}
