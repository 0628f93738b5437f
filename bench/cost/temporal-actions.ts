/**
 * What Temporal histories say a piece of work cost: history events, workflow tasks, and
 * Temporal Cloud billable actions counted by the rules of https://docs.temporal.io/cloud/actions
 * (the `Actions` page of Temporal's documentation).
 */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

// The proto package is CommonJS: its namespaces come through the default export under Node.
const T = proto.temporal.api.enums.v1.EventType;
type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

export interface TemporalTally {
  historyEvents: number;
  /**
   * State transitions: the server's own count of updates to a run's mutable state
   * (`DescribeWorkflowExecution` → `stateTransitionCount`), what Temporal's persistence pays.
   */
  stateTransitions: number;
  workflowTasks: number;
  actions: number;
  /** Billable actions by kind (what a figure is made of). */
  actionsByKind: Record<string, number>;
}

export const emptyTally = (): TemporalTally => ({
  historyEvents: 0,
  stateTransitions: 0,
  workflowTasks: 0,
  actions: 0,
  actionsByKind: {},
});

/** Adds `b` to `a` (scaled by `sign`). */
export function addTally(a: TemporalTally, b: TemporalTally, sign = 1): TemporalTally {
  const kinds = { ...a.actionsByKind };
  for (const [k, n] of Object.entries(b.actionsByKind)) kinds[k] = (kinds[k] ?? 0) + sign * n;
  return {
    historyEvents: a.historyEvents + sign * b.historyEvents,
    stateTransitions: a.stateTransitions + sign * b.stateTransitions,
    workflowTasks: a.workflowTasks + sign * b.workflowTasks,
    actions: a.actions + sign * b.actions,
    actionsByKind: kinds,
  };
}

/**
 * One run's history, tallied. Billable actions per Temporal Cloud's rules:
 * - a workflow started (client start, continue-as-new; a signal-with-start that started it
 *   counts once with its signal), a child workflow start (two: the start and the execution;
 *   the child's own started event is not counted again);
 * - a signal received, an update accepted (rejected updates are billed but not in histories);
 * - an activity started or retried (its attempts);
 * - local activities: every marker of one workflow task together is one action;
 * - a timer started; a search attribute upsert (not the versioning attribute alone);
 * - a Nexus operation scheduled; workflow options updated.
 * Queries and activity heartbeats are billed but leave nothing in a history: not counted.
 */
export function tallyHistory(events: readonly HistoryEvent[]): TemporalTally {
  const tally = emptyTally();
  const bill = (kind: string, n = 1) => {
    tally.actions += n;
    tally.actionsByKind[kind] = (tally.actionsByKind[kind] ?? 0) + n;
  };
  const localActivityTasks = new Set<string>();
  const startedBySignal = events[1]?.eventType === T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED;
  for (const [i, e] of events.entries()) {
    tally.historyEvents++;
    switch (e.eventType) {
      case T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        tally.workflowTasks++;
        break;
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: {
        const attrs = e.workflowExecutionStartedEventAttributes;
        if (attrs?.parentWorkflowExecution) break; // billed to the parent's initiation
        if (!startedBySignal) {
          bill(attrs?.continuedExecutionRunId ? 'continue-as-new' : 'workflow start');
        }
        break;
      }
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        bill(i === 1 && startedBySignal ? 'signal-with-start' : 'signal');
        break;
      case T.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        bill('child workflow', 2);
        break;
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        bill('update');
        break;
      case T.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        bill('activity', Math.max(1, e.activityTaskStartedEventAttributes?.attempt ?? 1));
        break;
      case T.EVENT_TYPE_MARKER_RECORDED: {
        const attrs = e.markerRecordedEventAttributes;
        if (!attrs?.markerName?.includes('local_activity')) break; // patches are not billed
        const task = String(attrs.workflowTaskCompletedEventId ?? i);
        if (!localActivityTasks.has(task)) {
          localActivityTasks.add(task);
          bill('local activities (per workflow task)');
        }
        break;
      }
      case T.EVENT_TYPE_TIMER_STARTED:
        bill('timer');
        break;
      case T.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const fields = Object.keys(
          e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {},
        );
        if (fields.some((f) => f !== 'TemporalChangeVersion')) bill('search attribute upsert');
        break;
      }
      case T.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED:
        bill('nexus operation');
        break;
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED:
        bill('workflow options updated');
        break;
      default:
        break;
    }
  }
  return tally;
}

/**
 * Every run of every workflow whose id contains `idPart`, tallied (closed runs' tallies are
 * kept, so repeated snapshots fetch only what may still grow).
 */
export class HistoryCounter {
  private readonly closed = new Map<string, TemporalTally>();

  constructor(
    private readonly client: Client,
    private readonly idPart: string,
  ) {}

  async snapshot(): Promise<TemporalTally> {
    let total = emptyTally();
    for await (const run of this.client.workflow.list()) {
      if (!run.workflowId.includes(this.idPart)) continue;
      const key = `${run.workflowId}/${run.runId}`;
      let tally = this.closed.get(key);
      if (!tally) {
        const handle = this.client.workflow.getHandle(run.workflowId, run.runId);
        const history = await handle.fetchHistory();
        const described = await handle.describe();
        tally = {
          ...tallyHistory(history.events ?? []),
          stateTransitions: Number(described.raw.workflowExecutionInfo?.stateTransitionCount ?? 0),
        };
        if (run.status.name !== 'RUNNING') this.closed.set(key, tally);
      }
      total = addTally(total, tally);
    }
    return total;
  }

  /** A snapshot once two in a row, `gapMs` apart, agree (the work in Temporal has settled). */
  async settled(gapMs = 1_500, timeoutMs = 120_000): Promise<TemporalTally> {
    const deadline = Date.now() + timeoutMs;
    let last = await this.snapshot();
    for (;;) {
      await new Promise((r) => setTimeout(r, gapMs));
      const next = await this.snapshot();
      if (next.historyEvents === last.historyEvents || Date.now() > deadline) return next;
      last = next;
    }
  }
}
