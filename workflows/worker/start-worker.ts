import { createEgress } from '../../outbound/egress';
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import {
  NativeConnection,
  Runtime,
  Worker,
  bundleWorkflowCode,
  type WorkflowBundle,
} from '@temporalio/worker';
import type { Database } from '../../db/client';
import { createTwinActivities } from '../activities';
import {
  DEFAULT_WATCHDOG,
  GATEWAY_WATCHDOG_ID,
  GATEWAY_WATCHDOG_WORKFLOW,
  type GatewayWatchdogArgs,
} from '../gateway-watchdog/messages';
import {
  DEFAULT_OUTBOX_RETENTION,
  OUTBOX_RETENTION_ID,
  OUTBOX_RETENTION_WORKFLOW,
} from '../outbox-retention/messages';
import { filesFromEnv, type FileStore } from '../../db/file-store';
import { startLogRetention } from './log-retention';
import { projectionTaskQueue, TWIN_TASK_QUEUE } from '../task-queues';
import { ledgerSigner } from '../../db/ledger-checkpoints';
import {
  DEFAULT_LEDGER_CHECKPOINTS,
  LEDGER_CHECKPOINTS_ID,
  LEDGER_CHECKPOINTS_WORKFLOW,
  type LedgerCheckpointsArgs,
} from '../ledger-checkpoints/messages';
import { startOcpiPushWaker } from './ocpi-push-waker';
import { startWebhookWaker } from './webhook-waker';
import { startNoticeDrainer } from './notice-drainer';
import { startSiteLoadDrainer } from './site-load-drainer';
import { createRequire } from 'node:module';
import {
  OpenTelemetryPlugin,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import { tracing } from '../../observability/tracing';
import { WorkerMetrics } from './worker-metrics';
import { startAlarmNotifier, type AlarmNotifierOptions } from './alarm-notifier';
import { scrapeFrom, serveMetrics } from '../../observability/metrics-listener';
import { DEFAULT_DEVICE_SETTINGS } from '../../twins/device';

/**
 * Workflows a worker keeps in memory by default (TWIN_WORKFLOW_CACHE). Temporal's default is
 * sized from the heap limit (~2,300 at 4 GiB). A cached twin holds ~0.3 MiB (with zod in the
 * workflow bundle ~1.7 MiB, which ran the heap full); caching a whole 10,000-twin fleet still
 * slowed a rollout by a third in major GCs. 1,000 keeps a worker's heap small; an evicted
 * twin replays a history of tens of events (docs/architecture.md, "Kept in memory by few").
 */
export const DEFAULT_WORKFLOW_CACHE = 1_000;
export const WORKFLOWS_PATH = fileURLToPath(new URL('../index.ts', import.meta.url));

export interface WorkerOptions {
  temporalAddress: string;
  namespace: string;
  database: Database;
  taskQueue?: string;
  /** Settings of the gateway watchdog, used when this worker is the first to start it. */
  watchdog?: GatewayWatchdogArgs;
  /** How long subscribers can resume from a cursor; older outbox rows are pruned (default 7 days). */
  outboxRetentionMs?: number;
  /** The Ed25519 private key (PKCS#8 PEM) ledger checkpoints are signed with. */
  ledgerSigningKey?: string;
  /** How often checkpoints are signed, when this worker is the first to start the signer. */
  ledgerCheckpoints?: LedgerCheckpointsArgs;
  /** A bundle built earlier (tests build it once per suite). */
  workflowBundle?: WorkflowBundle;
  /** Private networks tenant-given URLs may reach (CIDRs; default none: README "Partner webhooks"). */
  allowedNetworks?: readonly string[];
  /** Signals per second this worker sends to twins for ingest notices (TWIN_NOTICE_RATE, default 200). */
  twinNoticeRate?: number;
  /** The grace period of a connection lost with its gateway (DEVICE_OFFLINE_GRACE_MS, default 15 s). */
  offlineGraceMs?: number;
  /** How long the site-load drainer waits for a NOTIFY before it looks anyway (default 30 s). */
  siteLoadBackstopMs?: number;
  /** Workflows kept in memory between tasks (TWIN_WORKFLOW_CACHE, default 1,000). */
  workflowCache?: number;
  /** Where Prometheus metrics are served: a listener of their own, default 127.0.0.1:9466 (0: any free port). */
  metricsHost?: string;
  metricsPort?: number;
  /** Device log retention (workflows/worker/log-retention.ts); defaults 30 and 30 days. */
  logRetentionDays?: number;
  uploadRetentionDays?: number;
  /** Where uploaded log files are kept; default DOPPEL_FILES_DIR. */
  files?: FileStore;
  /** Temporal Core's own Prometheus endpoint (host:port, see installTemporalRuntime), appended to this worker's page. */
  coreMetricsAddress?: string;
  /**
   * The alarm notifier (docs/alarms.md, "Notifications"): SMTP settings and tick; false: none
   * in this worker (tests start their own). Default: on, without SMTP.
   */
  alarmNotifications?: Omit<AlarmNotifierOptions, 'egress'> | false;
}

export interface RunningWorker {
  /** Where GET /metrics is served (a listener of its own, loopback by default). */
  readonly metricsPort: number;
  stop(): Promise<void>;
}

/** Bundles the workflows (a forbidden import fails here, not at run time). */
export function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: quietBundlerLogger,
    // With tracing on, workflows carry the trace on (W3C trace context in Temporal headers);
    // off, the bundle holds no OpenTelemetry code at all.
    ...(tracing() ? { workflowInterceptorModules: [OTEL_WORKFLOW_INTERCEPTORS] } : {}),
  });
}

const OTEL_WORKFLOW_INTERCEPTORS = createRequire(import.meta.url).resolve(
  '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
);

const noop = () => {};
const quietBundlerLogger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  log: noop,
};

/** Starts the twin worker; `stop()` drains in-flight tasks and closes the connection. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address: options.temporalAddress });
  const traces = tracing();
  const client = new Client({
    connection,
    namespace: options.namespace,
    ...(traces
      ? { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } }
      : {}),
  });
  // Spans of the workflows (exported through a sink) and of activities, in this process's pipe.
  const plugins = traces
    ? [new OpenTelemetryPlugin({ resource: traces.resource, spanProcessor: traces.spanProcessor })]
    : [];
  const taskQueue = options.taskQueue ?? TWIN_TASK_QUEUE;
  // Activities that talk to other twins (an asset binding a device) share the connection.
  const activities = createTwinActivities(options.database, client, {
    offlineGraceMs: options.offlineGraceMs ?? DEFAULT_DEVICE_SETTINGS.offlineGraceMs,
    ...(options.outboxRetentionMs ? { outboxRetentionMs: options.outboxRetentionMs } : {}),
    ledgerSigner: options.ledgerSigningKey ? ledgerSigner(options.ledgerSigningKey) : null,
    egress: createEgress(options.allowedNetworks),
  });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue,
    workflowBundle: options.workflowBundle ?? (await bundleWorkflows()),
    activities,
    maxCachedWorkflows: options.workflowCache ?? DEFAULT_WORKFLOW_CACHE,
    plugins,
  });
  // The twins' projections on slots of their own (see projectionTaskQueue).
  const projections = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: projectionTaskQueue(taskQueue),
    activities: {
      projectDeviceTwin: activities.projectDeviceTwin,
      projectAssetTwin: activities.projectAssetTwin,
    },
    plugins,
  });
  const running = Promise.all([worker.run(), projections.run()]);
  // Ingest notices reach their twins at the admitted rate; grace periods end in the sweeper.
  const metrics = new WorkerMetrics(options.database);
  const drainer = await startNoticeDrainer(options.database, client, {
    ratePerSecond: options.twinNoticeRate ?? 200,
    onSettled: (sent, failed) => {
      metrics.noticeSignals.inc({ outcome: 'sent' }, sent);
      metrics.noticeSignals.inc({ outcome: 'failed' }, failed);
    },
    onSwept: (n) => metrics.graceExpiries.inc(n),
    onError: (error) =>
      Runtime.instance().logger.warn('twin notices: will retry', { error: String(error) }),
  });
  // Session starts and stops reach their site's load manager (docs/smart-charging.md).
  const siteLoad = await startSiteLoadDrainer(options.database, client, {
    ...(options.siteLoadBackstopMs ? { backstopMs: options.siteLoadBackstopMs } : {}),
    onError: (error) =>
      Runtime.instance().logger.warn('site load notices: will retry', { error: String(error) }),
  });
  // Idle partner webhooks wake on their tenant's commits (NOTIFY), not on a tight poll.
  const waker = await startWebhookWaker(options.database, client, (error) =>
    Runtime.instance().logger.warn('webhook wake-up failed; the idle check will catch up', {
      error: String(error),
    }),
  );
  // OCPI pushes wake on their tenant's commits too, not only on their idle check.
  const ocpiWaker = await startOcpiPushWaker(options.database, client, (error) =>
    Runtime.instance().logger.warn('OCPI push wake-up failed; the idle check will catch up', {
      error: String(error),
    }),
  );
  const notifier =
    options.alarmNotifications === false
      ? null
      : await startAlarmNotifier(options.database, {
          ...options.alarmNotifications,
          egress: createEgress(options.allowedNetworks),
          onSent: (kind, n) => metrics.notifications.inc({ kind, outcome: 'sent' }, n),
          onFailed: (kind, n) => metrics.notifications.inc({ kind, outcome: 'failed' }, n),
          onError: (error) =>
            Runtime.instance().logger.warn('alarm notifications: will retry', {
              error: String(error),
            }),
        });
  // One of each per namespace: whichever worker starts first starts it, the others find it.
  const singleton = (workflow: string, workflowId: string, args: unknown, summary: string) =>
    client.workflow.start(workflow, {
      workflowId,
      taskQueue,
      args: [args],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: summary,
    });
  await singleton(
    GATEWAY_WATCHDOG_WORKFLOW,
    GATEWAY_WATCHDOG_ID,
    options.watchdog ?? DEFAULT_WATCHDOG,
    'Finds gateways that died and takes their devices offline (gateway-lost)',
  );
  await singleton(
    OUTBOX_RETENTION_WORKFLOW,
    OUTBOX_RETENTION_ID,
    DEFAULT_OUTBOX_RETENTION,
    'Prunes outbox rows older than the retention window (OUTBOX_RETENTION_HOURS)',
  );
  await singleton(
    LEDGER_CHECKPOINTS_WORKFLOW,
    LEDGER_CHECKPOINTS_ID,
    options.ledgerCheckpoints ?? DEFAULT_LEDGER_CHECKPOINTS,
    "Signs the head of every tenant's ledger that grew (Ed25519 checkpoints)",
  );
  const logRetention = startLogRetention(
    options.database,
    options.files ?? filesFromEnv(),
    Runtime.instance().logger,
    {
      retentionDays: options.logRetentionDays ?? 30,
      uploadRetentionDays: options.uploadRetentionDays ?? 30,
    },
  );
  const metricsListener = await serveMetrics(
    options.metricsHost ?? '127.0.0.1',
    options.metricsPort ?? 9466,
    metrics.registry,
    options.coreMetricsAddress ? scrapeFrom(options.coreMetricsAddress) : undefined,
  );
  return {
    metricsPort: metricsListener.port,
    async stop() {
      await metricsListener.close();
      await logRetention.stop();
      await waker.stop();
      await ocpiWaker.stop();
      await notifier?.stop();
      await drainer.stop();
      await siteLoad.stop();
      worker.shutdown();
      projections.shutdown();
      await running;
      await connection.close();
    },
  };
}
