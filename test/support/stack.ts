import { createEgress } from '../../outbound/egress';
import { TEST_ALLOWED_NETWORKS } from './egress';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { FsFileStore } from '../../db/file-store';
import { TestDevice } from './device-client';
import { flightRecorder } from './flight-recorder';
import { graphql } from './graphql';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createDatabase, type Database } from '../../db/client';
import { startGateway, type RunningGateway } from '../../gateway/start-gateway';
import { startApi, type RunningApi } from '../../graphql/start-api';
import { TEST_AUTH, TEST_CHECKPOINT_INTERVAL_S, TEST_LEDGER_KEY } from './auth';
import { temporalCoreMetrics } from '../../deploy/temporal-runtime';
import { startTracing } from '../../observability/tracing';
import {
  bundleWorkflows,
  startWorker,
  type RunningWorker,
} from '../../workflows/worker/start-worker';

export interface TestStack {
  database: Database;
  temporal: Client;
  gateway: RunningGateway;
  api: RunningApi;
  worker: RunningWorker;
  gatewayUrl: string;
  /** The gateway's Prometheus metrics (their own listener, not the devices' port). */
  metricsUrl: string;
  /** The API's and the worker's (with Temporal Core's), each on a listener of its own. */
  apiMetricsUrl: string;
  workerMetricsUrl: string;
  /** The OCPP endpoint's base (`…/ocpp`): stations append `/{tenant}/{identity}`. */
  ocppUrl: string;
  /** This stack's gateway node: unique, so parallel test files never answer each other's commands. */
  gatewayNodeId: string;
  apiUrl: string;
  /** Where this stack keeps uploaded device files. */
  filesDir: string;
  stop(): Promise<void>;
}

export interface StackOptions {
  helloTimeoutMs?: number;
  idleTimeoutS?: number;
  flapLimit?: number;
  loginFailuresPerDevice?: number;
  loginFailuresPerSource?: number;
  maxUpgradesInFlight?: number;
  trustedProxies?: string[];
  offlineGraceMs?: number;
  /** Signals per second the worker's notice drainer sends to twins (default 200). */
  twinNoticeRate?: number;
  /** How long the worker's site-load drainer waits for a NOTIFY before it looks anyway. */
  siteLoadBackstopMs?: number;
  /** The worker's alarm notifier (default none: test/alarm-notifications.test.ts runs its own). */
  alarmNotifications?: NonNullable<Parameters<typeof startWorker>[0]['alarmNotifications']>;
  /** The largest log file a device may upload (default 64 MiB). */
  maxUploadBytes?: number;
  /** Log lines a device may send a second (default 100). */
  logLinesPerSecond?: number;
  /** The API's requests per caller (default DEFAULT_RATE_LIMIT). */
  rateLimit?: { perSecond: number; burst: number };
  /** The Temporal UI the API tells the console of (DOPPEL_TEMPORAL_UI_URL; default none). */
  temporalUiUrl?: string;
}

/** Worker, gateway and API in this process, against the suite's real Temporal and PostgreSQL. */
export async function startTestStack(options: StackOptions = {}): Promise<TestStack> {
  // Imported here, not at the top: scripts outside vitest (history capture) use startStack.
  const { inject } = await import('vitest');
  return startStack(
    { temporalAddress: inject('temporalAddress'), databaseUrl: inject('databaseUrl') },
    options,
  );
}

let installedCoreMetrics: string | undefined;

/** Worker, gateway and API in this process against the given Temporal and PostgreSQL. */
export async function startStack(
  backendsAt: { temporalAddress: string; databaseUrl: string; namespace?: string },
  options: StackOptions = {},
): Promise<TestStack> {
  // Worker state changes are noise in test output; warnings and errors still show.
  // Traces when the test set OTEL_EXPORTER_OTLP_ENDPOINT (test/tracing.test.ts): before the
  // bundle, which then carries Temporal's workflow interceptors.
  startTracing('doppel-test');
  // Core's metrics on a port of their own, appended to the worker's page (as the worker role).
  const core = await temporalCoreMetrics();
  let coreMetricsAddress: string | undefined = core.address;
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN'),
      telemetryOptions: core.telemetryOptions,
    });
  } catch {
    // already installed in this process (by an earlier stack: its Core endpoint is unknown here)
    coreMetricsAddress = installedCoreMetrics;
  }
  installedCoreMetrics = coreMetricsAddress;
  const { temporalAddress } = backendsAt;
  const database = createDatabase(backendsAt.databaseUrl);
  const gatewayNodeId = `test-gw-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const level = process.env.TEST_LOG_LEVEL;
  const logger = level
    ? pino({ level }, pino.destination(2))
    : pino({ level: 'info' }, flightRecorder);
  // Uploaded log files: a directory of this stack's, shared by its gateway, API and worker.
  const filesDir = mkdtempSync(path.join(tmpdir(), 'doppel-files-'));
  const files = new FsFileStore(filesDir);
  const backends = {
    files,
    temporalAddress,
    namespace: backendsAt.namespace ?? 'default',
    database,
    allowedNetworks: TEST_ALLOWED_NETWORKS,
  };
  // A short watchdog, so a test can see a killed gateway's devices go offline.
  const watchdog = { intervalMs: 1_000, pingTimeoutMs: 2_000 };
  const worker = await startWorker({
    ...backends,
    workflowBundle: await bundleWorkflows(),
    watchdog,
    ledgerSigningKey: TEST_LEDGER_KEY,
    ledgerCheckpoints: { intervalMs: TEST_CHECKPOINT_INTERVAL_S * 1000 },
    offlineGraceMs: options.offlineGraceMs ?? 0,
    metricsPort: 0,
    ...(coreMetricsAddress ? { coreMetricsAddress } : {}),
    ...(options.twinNoticeRate ? { twinNoticeRate: options.twinNoticeRate } : {}),
    ...(options.siteLoadBackstopMs ? { siteLoadBackstopMs: options.siteLoadBackstopMs } : {}),
    alarmNotifications: options.alarmNotifications ?? false,
    // Benchmarks size the worker's cache as an operator would (TWIN_WORKFLOW_CACHE).
    ...(process.env.TWIN_WORKFLOW_CACHE
      ? { workflowCache: Number(process.env.TWIN_WORKFLOW_CACHE) }
      : {}),
  });
  const gateway = await startGateway({
    ...backends,
    host: '127.0.0.1',
    port: 0,
    nodeId: gatewayNodeId,
    logger,
    helloTimeoutMs: options.helloTimeoutMs ?? 5_000,
    maxPayloadBytes: 64 * 1024,
    offlineGraceMs: options.offlineGraceMs ?? 0,
    idleTimeoutS: options.idleTimeoutS ?? 120,
    flapLimit: options.flapLimit ?? 1_000,
    metricsPort: 0,
    // Tests refuse many logins from 127.0.0.1 on purpose; only the lock-out tests lock.
    loginFailuresPerDevice: options.loginFailuresPerDevice ?? 1_000,
    loginFailuresPerSource: options.loginFailuresPerSource ?? 100_000,
    ...(options.maxUpgradesInFlight ? { maxUpgradesInFlight: options.maxUpgradesInFlight } : {}),
    trustedProxies: options.trustedProxies ?? [],
    ...(options.maxUploadBytes ? { maxUploadBytes: options.maxUploadBytes } : {}),
    ...(options.logLinesPerSecond ? { logLinesPerSecond: options.logLinesPerSecond } : {}),
  });
  const api = await startApi({
    ...backends,
    host: '127.0.0.1',
    port: 0,
    logger,
    offlineGraceMs: options.offlineGraceMs ?? 0,
    auth: TEST_AUTH,
    egress: createEgress(TEST_ALLOWED_NETWORKS),
    metricsPort: 0,
    deviceUploadUrl: `http://127.0.0.1:${gateway.port}`,
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    ...(options.temporalUiUrl ? { temporalUiUrl: options.temporalUiUrl } : {}),
  });
  const connection = await Connection.connect({ address: temporalAddress });
  const temporal = new Client({ connection, namespace: backends.namespace });
  return {
    database,
    temporal,
    gateway,
    api,
    worker,
    gatewayUrl: `ws://127.0.0.1:${gateway.port}/device`,
    metricsUrl: `http://127.0.0.1:${gateway.metricsPort}/metrics`,
    apiMetricsUrl: `http://127.0.0.1:${api.metricsPort}/metrics`,
    workerMetricsUrl: `http://127.0.0.1:${worker.metricsPort}/metrics`,
    ocppUrl: `ws://127.0.0.1:${gateway.port}/ocpp`,
    gatewayNodeId,
    apiUrl: `http://127.0.0.1:${api.port}/graphql`,
    filesDir,
    async stop() {
      await bounded('api.stop', () => api.stop());
      await bounded('gateway.stop', () => gateway.stop());
      await bounded('worker.stop', () => worker.stop());
      await bounded('connection.close', () => connection.close());
      await bounded('database.close', () => database.close());
      rmSync(filesDir, { recursive: true, force: true });
    },
  };
}

/** A unique tenant per test, so tests never see each other's twins. */
export function uniqueTenant(prefix = 't'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Registers a device through GraphQL, as an operator would, and returns its token. */
export async function registerDevice(
  stack: TestStack,
  tenantId: string,
  deviceId: string,
  model?: string,
): Promise<string> {
  const res = await graphql(
    stack.apiUrl,
    `
      mutation ($i: RegisterDeviceInput!) {
        registerDevice(input: $i) {
          token
        }
      }
    `,
    {
      i: { tenantId, deviceId, ...(model ? { model } : {}) },
    },
  );
  if (res.errors) throw new Error(`registerDevice failed: ${JSON.stringify(res.errors)}`);
  return res.data.registerDevice.token as string;
}

/** A native JSON device that said hello on `url` and got its welcome. */
export async function helloDevice(
  url: string,
  creds: { tenantId: string; deviceId: string; token: string },
): Promise<TestDevice> {
  const device = await TestDevice.connect(url);
  device.send({
    type: 'hello',
    seq: 1,
    tenant: creds.tenantId,
    device: creds.deviceId,
    token: creds.token,
  });
  const answer = await device.next((m) => m.type === 'welcome' || m.type === 'error');
  if (answer.type !== 'welcome') throw new Error(`hello refused: ${JSON.stringify(answer)}`);
  return device;
}

/**
 * One step of a stack's shutdown, given at most STOP_STEP_MS: a step that hangs is named on
 * stderr and left behind (the test process ends with its file), instead of failing the file's
 * afterAll after its assertions passed. Once, in a full CI run, a stack's stop hung for the
 * whole hook time-out with nothing logged; this names the step should it happen again.
 */
async function bounded(step: string, stop: () => Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), STOP_STEP_MS);
  });
  try {
    if ((await Promise.race([stop(), hung])) === 'hung')
      console.error(`test stack: ${step} still running after ${STOP_STEP_MS} ms; left behind`);
  } finally {
    clearTimeout(timer);
  }
}

const STOP_STEP_MS = 30_000;
