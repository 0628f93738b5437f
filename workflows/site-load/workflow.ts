import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { SiteLoadActivities } from '../activities/site-load-activities';
import { SiteLoadManager } from './manager';
import {
  setSiteLimitUpdate,
  siteChangedSignal,
  siteLoadQuery,
  type SiteLoadArgs,
  type SiteLoadSettings,
} from './messages';

const activities = proxyActivities<SiteLoadActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { maximumInterval: '10 seconds' },
});

/**
 * One site's load manager (docs/smart-charging.md): hears the ingest path's notices of session
 * starts and stops and stations' connects and disconnects, and limit changes; each time it
 * reads the site's running sessions, computes every session's share (twins/smart-charging)
 * and sends the TxProfiles that changed, lowered ones first. An offline station's share is
 * held until its release delay has passed (a durable timer), then the others get it.
 */
export async function siteLoadManager(args: SiteLoadArgs): Promise<void> {
  const manager = new SiteLoadManager(args, activities, `${workflowInfo().runId}`);
  setHandler(siteChangedSignal, ({ reason }) => manager.changed(reason));
  setHandler(siteLoadQuery, () => manager.view());
  setHandler(
    setSiteLimitUpdate,
    (settings: SiteLoadSettings) => {
      manager.setSettings(settings);
      return manager.view();
    },
    { validator: (settings: SiteLoadSettings) => SiteLoadManager.check(settings) },
  );
  manager.changed('started');
  for (;;) {
    const wait = manager.nextReleaseIn(Date.now());
    if (wait === null) await condition(() => manager.dirty);
    else if (!(await condition(() => manager.dirty, wait)))
      manager.changed('offline share released');
    await manager.recompute(new Date().toISOString());
    if (workflowInfo().continueAsNewSuggested && !manager.dirty) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof siteLoadManager>(manager.carried());
    }
  }
}
