import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Database } from '../../db/client';
import { listenTo } from '../../db/notifications';
import { settleSiteLoadNotice, waitingSiteLoadNotices } from '../../db/site-load-store';
import { siteChangedSignal, siteLoadWorkflowId } from '../site-load/messages';

/** Notices read a round: a full round is followed by the next at once. */
const ROUND = 100;

export interface SiteLoadDrainerOptions {
  /** How long the drainer waits for a NOTIFY before it looks anyway (default 30 s). */
  backstopMs?: number;
  /** How soon it tries again after a signal or a read failed (default 1 s). */
  retryMs?: number;
  onError: (error: unknown) => void;
}

/**
 * Tells sites' load managers what the ingest path committed (site_load_notices): one signal
 * per site and notice, the notice deleted once Temporal accepted it, so a crash between the
 * commit and the signal loses nothing (the next round sends it). A site whose manager does not
 * run has nothing to tell: its notice goes. Signals are coalesced per site, and the manager
 * re-reads the site on each one, so a repeated signal costs a read, not a wrong profile.
 *
 * It drains when a notice's transaction NOTIFYs, so a worker whose tenants set no limit sends
 * no query; the slow backstop poll finds what a NOTIFY lost while the LISTEN connection was
 * down (its return also wakes the drainer).
 */
export async function startSiteLoadDrainer(
  database: Database,
  client: Client,
  options: SiteLoadDrainerOptions,
): Promise<{ stop(): Promise<void> }> {
  let stopped = false;
  // Set by a NOTIFY that came while a round ran: the round may have read before its notice.
  let woken = false;
  let wake: (() => void) | null = null;
  const nudge = () => {
    woken = true;
    wake?.();
  };
  const listener = await listenTo(database, 'siteLoadNotices', nudge, nudge);

  /** One round; answers what comes next: another round now, a retry, or a wait. */
  const drain = async (): Promise<'more' | 'retry' | 'wait'> => {
    const notices = await waitingSiteLoadNotices(database, ROUND);
    let failed = false;
    for (const notice of notices) {
      try {
        await client.workflow
          .getHandle(siteLoadWorkflowId(notice.tenantId, notice.siteId))
          .signal(siteChangedSignal, { reason: 'sessions or stations changed' });
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) {
          options.onError(error);
          failed = true;
          continue;
        }
      }
      await settleSiteLoadNotice(database, notice);
    }
    return failed ? 'retry' : notices.length === ROUND ? 'more' : 'wait';
  };

  const loop = (async () => {
    while (!stopped) {
      woken = false;
      let next: 'more' | 'retry' | 'wait' = 'retry';
      try {
        next = await drain();
      } catch (error) {
        options.onError(error);
      }
      if (stopped || next === 'more' || (woken && next === 'wait')) continue;
      const ms = next === 'retry' ? (options.retryMs ?? 1_000) : (options.backstopMs ?? 30_000);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  })();

  return {
    async stop() {
      stopped = true;
      nudge();
      await listener.unlisten();
      await loop;
    },
  };
}
