import { and, eq, gt, inArray, sql as dsql, type SQL } from 'drizzle-orm';
import type { OutboxEntry } from './outbox-reader';
import { outbox } from './schema';
import {
  DEFAULT_NOTIFIED_KINDS,
  routes,
  type AlarmEventState,
  type AlarmRouting,
} from '../twins/alarms/notification-channel';
import { SEVERITIES, severityRank } from '../twins/alarms/rule';

/** `routes` as SQL over an alarm event's row (its state: severity, site, customer). */
function alarmRoutingSql(routing: AlarmRouting): SQL {
  const field = (name: string) => dsql`${outbox.payload} #>> ${dsql.raw(`'{state,${name}}'`)}`;
  const severities = SEVERITIES.filter(
    (s) =>
      (!routing.minSeverity || severityRank(s) >= severityRank(routing.minSeverity)) &&
      (!routing.severities || routing.severities.includes(s)),
  );
  return and(
    inArray(outbox.kind, [...(routing.kinds ?? DEFAULT_NOTIFIED_KINDS)]),
    severities.length === 0 ? dsql`false` : inArray(field('severity'), severities),
    routing.siteIds ? inArray(field('siteId'), routing.siteIds) : undefined,
    routing.customerIds ? inArray(field('customerId'), routing.customerIds) : undefined,
  )!;
}

/**
 * Which outbox rows a subscriber wants. One definition serves the replay (as SQL) and the live
 * feed (as a predicate), so a resumed subscription sees exactly what a live one would have.
 */
export interface OutboxFilter {
  readonly tenantId: string;
  readonly aggregateType: 'device' | 'asset' | 'alarm';
  readonly aggregateId?: string | undefined;
  /** Event types (`reported`, `lifecycle-changed`, …); any when absent. */
  readonly kinds?: readonly string[] | undefined;
  /**
   * The site the aggregate stood in right after the change: a device's binding (its
   * `state.binding.siteId`, copied from the asset when bound), an asset's `state.siteId`. Read
   * from the row's own state, so neither replay nor live feed needs a graph lookup, and a
   * change is placed where it happened even after the device moved on.
   */
  readonly siteId?: string | undefined;
  /** Alarm events only: the routing of docs/alarms.md "Notifications" (`routes`, and as SQL). */
  readonly alarmRouting?: AlarmRouting | undefined;
}

function siteOf(entry: Pick<OutboxEntry, 'aggregateType' | 'state'>): string | null {
  const state = entry.state as {
    siteId?: string | null;
    binding?: { siteId?: string | null } | null;
  } | null;
  return (entry.aggregateType === 'device' ? state?.binding?.siteId : state?.siteId) ?? null;
}

/** Whether a live outbox entry passes the filter. */
export function matchesOutboxFilter(entry: OutboxEntry, filter: OutboxFilter): boolean {
  return (
    entry.tenantId === filter.tenantId &&
    entry.aggregateType === filter.aggregateType &&
    (filter.aggregateId === undefined || entry.aggregateId === filter.aggregateId) &&
    (filter.kinds === undefined || filter.kinds.includes(entry.kind)) &&
    (filter.siteId === undefined || siteOf(entry) === filter.siteId) &&
    (filter.alarmRouting === undefined ||
      routes(filter.alarmRouting, entry.kind, entry.state as AlarmEventState))
  );
}

/** The same filter as SQL over rows after `cursor` (the (tenant_id, id) index serves it). */
export function outboxFilterSql(filter: OutboxFilter, cursor: number): SQL {
  const sitePath =
    filter.aggregateType === 'device'
      ? dsql`${outbox.payload} #>> '{state,binding,siteId}'`
      : dsql`${outbox.payload} #>> '{state,siteId}'`;
  return and(
    eq(outbox.tenantId, filter.tenantId),
    gt(outbox.id, cursor),
    eq(outbox.aggregateType, filter.aggregateType),
    filter.aggregateId === undefined ? undefined : eq(outbox.aggregateId, filter.aggregateId),
    filter.kinds === undefined ? undefined : inArray(outbox.kind, [...filter.kinds]),
    filter.siteId === undefined ? undefined : eq(sitePath, filter.siteId),
    filter.alarmRouting === undefined ? undefined : alarmRoutingSql(filter.alarmRouting),
  )!;
}
