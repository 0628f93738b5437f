import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Database } from '../../db/client';
import { settleSiteLoadNotice, waitingSiteLoadNotices } from '../../db/site-load-store';
import { siteChangedSignal, siteLoadWorkflowId } from '../site-load/messages';

/**
 * Tells sites' load managers what the ingest path committed (site_load_notices): one signal
 * per site and notice, the notice deleted once Temporal accepted it, so a crash between the
 * commit and the signal loses nothing (the next round sends it). A site whose manager does not
 * run has nothing to tell: its notice goes. Signals are coalesced per site, and the manager
 * re-reads the site on each one, so a repeated signal costs a read, not a wrong profile.
 */
export function startSiteLoadDrainer(
  database: Database,
  client: Client,
  options: { everyMs?: number; onError: (error: unknown) => void },
): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();
  const drain = async () => {
    for (const notice of await waitingSiteLoadNotices(database, 100)) {
      try {
        await client.workflow
          .getHandle(siteLoadWorkflowId(notice.tenantId, notice.siteId))
          .signal(siteChangedSignal, { reason: 'sessions or stations changed' });
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) {
          options.onError(error);
          continue;
        }
      }
      await settleSiteLoadNotice(database, notice);
    }
  };
  const tick = () => {
    round = drain()
      .catch(options.onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.everyMs ?? 500);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await round;
    },
  };
}
