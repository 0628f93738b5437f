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
  removeSiteLimitUpdate,
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
 * held until its release delay has passed (a durable timer), then the others get it. Every
 * station of the site keeps a TxDefaultProfile at the start limit; removing the limit clears
 * what the manager set and ends it.
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
    { validator: (settings: SiteLoadSettings) => SiteLoadManager.check(settings, manager) },
  );
  setHandler(removeSiteLimitUpdate, async () => {
    manager.requestRemoval();
    await condition(() => manager.removed);
    return manager.view();
  });
  manager.changed('started');
  const due = () => manager.dirty || manager.removing;
  for (;;) {
    const wait = manager.nextReleaseIn(Date.now());
    if (wait === null) await condition(due);
    else if (!(await condition(due, wait))) manager.changed('offline share released');
    if (manager.removing) {
      await manager.clear(new Date().toISOString());
      await condition(allHandlersFinished);
      return;
    }
    await manager.recompute(new Date().toISOString());
    if (workflowInfo().continueAsNewSuggested && !manager.dirty && !manager.removing) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof siteLoadManager>(manager.carried());
    }
  }
}
