import type { Database } from './client';

/** Wakes notice drainers when a notice is written (pg_notify, payload empty). */
export const TWIN_NOTICE_CHANNEL = 'doppel_twin_notices';

export interface TwinNotice {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly reasons: readonly string[];
  readonly version: number;
  /** W3C trace context of the newest message that raised it (tracing on). */
  readonly traceparent?: string | null;
}

/**
 * Claims up to `limit` waiting notices, oldest first, for `claimMs` (a drainer that dies
 * mid-way leaves them to the next after that). The claim is its own short transaction, so
 * ingest batches that add reasons to a claimed notice never wait for the drainer's signals.
 */
export async function claimTwinNotices(
  database: Database,
  limit: number,
  claimMs = 30_000,
): Promise<TwinNotice[]> {
  if (limit <= 0) return [];
  const rows = await database.sql<
    {
      tenant_id: string;
      device_id: string;
      reasons: string[];
      version: string;
      traceparent: string | null;
    }[]
  >`
    update twin_notices n set claimed_until = now() + ${claimMs} * interval '1 millisecond'
    from (
      select tenant_id, device_id from twin_notices
      where claimed_until is null or claimed_until < now()
      order by since
      limit ${limit}
      for update skip locked
    ) due
    where n.tenant_id = due.tenant_id and n.device_id = due.device_id
    returning n.tenant_id, n.device_id, n.reasons, n.version, n.traceparent`;
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    deviceId: r.device_id,
    reasons: r.reasons,
    version: Number(r.version),
    traceparent: r.traceparent,
  }));
}

/**
 * Deletes notices whose twin accepted the signal; one that gained a newer change meanwhile
 * (a higher version) stays, unclaimed, and is sent again.
 */
export async function settleTwinNotices(
  database: Database,
  sent: readonly TwinNotice[],
  failed: readonly TwinNotice[] = [],
): Promise<void> {
  if (sent.length > 0) {
    const rows = JSON.stringify(
      sent.map((n) => ({ tenant_id: n.tenantId, device_id: n.deviceId, version: n.version })),
    );
    // Two statements, not one with two parts: a part of a statement sees the rows as the
    // statement began, so a version raised meanwhile by the ingest path (which the delete
    // re-checks and spares) would escape the other part and stay claimed.
    await database.sql`
      delete from twin_notices n
      using jsonb_to_recordset(${rows}::jsonb) as s(tenant_id text, device_id text, version bigint)
      where n.tenant_id = s.tenant_id and n.device_id = s.device_id and n.version <= s.version`;
  }
  // What is left of them gained a newer change: it is sent again.
  const unclaim = [...sent, ...failed];
  if (unclaim.length > 0)
    await database.sql`
      update twin_notices set claimed_until = null
      where claimed_until is not null and (tenant_id, device_id) in (select * from unnest(
        ${unclaim.map((n) => n.tenantId)}::text[], ${unclaim.map((n) => n.deviceId)}::text[]))`;
}
/** How many notices wait and how old the oldest is (seconds), for the metrics. */
export async function twinNoticeBacklog(
  database: Database,
): Promise<{ waiting: number; oldestSeconds: number }> {
  const [row] = await database.sql<{ waiting: string; oldest: number | null }[]>`
    select count(*) as waiting, extract(epoch from now() - min(since))::float8 as oldest
    from twin_notices`;
  return { waiting: Number(row?.waiting ?? 0), oldestSeconds: row?.oldest ?? 0 };
}
