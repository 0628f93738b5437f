import type { Database } from '../db/client';
import { listenTo, type Listener } from '../db/notifications';
import { tenantHasSiteLoadLimits } from '../db/site-load-store';

/**
 * Which of the tenants this gateway serves have a site with a power limit, so the ingest path
 * writes site-load notices only for theirs (most tenants set none, and a statement per
 * connect or disconnect batch would be spent on nothing). Read once per tenant, forgotten when
 * the API's NOTIFY says the tenant's limits changed (or the LISTEN connection came back), so a
 * limit set at run time counts from the next batch after its NOTIFY, without a restart.
 */
export class SiteLoadTenants {
  private readonly limited = new Map<string, boolean>();
  /** Reads in flight; a change meanwhile drops the read, whose answer may predate it. */
  private readonly reading = new Map<string, Promise<void>>();
  private listener: Listener | null = null;

  constructor(private readonly database: Database) {}

  async start(): Promise<void> {
    this.listener = await listenTo(
      this.database,
      'siteLoadLimits',
      (tenantId) => this.forget(tenantId),
      () => {
        this.limited.clear();
        this.reading.clear();
      },
    );
  }

  async stop(): Promise<void> {
    await this.listener?.unlisten();
  }

  /**
   * Reads the tenants not known yet; answers whether a tenant may have a limit. A tenant not
   * known when asked (its read failed, or a change came since) counts as limited: a statement
   * too many, never a notice too few.
   */
  async among(tenantIds: Iterable<string>): Promise<(tenantId: string) => boolean> {
    const reads: Promise<void>[] = [];
    for (const tenantId of new Set(tenantIds))
      if (!this.limited.has(tenantId)) reads.push(this.read(tenantId));
    await Promise.all(reads);
    return (tenantId) => this.limited.get(tenantId) ?? true;
  }

  private read(tenantId: string): Promise<void> {
    const inFlight = this.reading.get(tenantId);
    if (inFlight) return inFlight;
    const reading: Promise<void> = tenantHasSiteLoadLimits(this.database, tenantId).then(
      (has) => {
        if (this.reading.get(tenantId) !== reading) return;
        this.reading.delete(tenantId);
        this.limited.set(tenantId, has);
      },
      () => {
        // Not known: counted as limited, read again with the next batch.
        if (this.reading.get(tenantId) === reading) this.reading.delete(tenantId);
      },
    );
    this.reading.set(tenantId, reading);
    return reading;
  }

  private forget(tenantId: string): void {
    this.limited.delete(tenantId);
    this.reading.delete(tenantId);
  }
}
