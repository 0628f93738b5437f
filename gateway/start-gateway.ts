import type { Logger } from 'pino';
import type { Database } from '../db/client';
import { VerifiedSecrets, checkDeviceSecret, deviceCredentialActive } from '../db/credentials';
import { claimDevice } from '../db/device-claim';
import { findDeviceProfile } from '../db/device-profile-store';
import { findDeviceTwin } from '../db/device-projection';
import { normaliseReport } from '../twins/profiles';
import { commitIngest } from '../db/device-ingest';
import { AlarmRuleCache } from './alarm-rules';
import { SiteLoadTenants } from './site-load-tenants';
import { SteadyPairs } from '../db/alarm-steady';
import { listenTo } from '../db/notifications';
import { Admission } from './admission';
import { AuthFailures } from './auth-failures';
import { insertTelemetry } from '../db/telemetry-store';
import { DeviceLinks } from './device-links';
import { TelemetryWriter } from './telemetry-writer';
import { GatewayMetrics, watchBacklogs } from './metrics';
import { twinNoticeBacklog } from '../db/twin-notices';
import { mountDeviceEndpoint } from './json/device-endpoint';
import { CloseCode } from './json/messages';
import { mountOcppEndpoint } from './ocpp/ocpp-endpoint';
import { StationAlarms } from './ocpp/station-alarms';
import { IdTagAuthorization } from './ocpp/id-tag-authorization';
import { mountMqttEndpoint } from './mqtt/mqtt-endpoint';
import { startGatewayWorker } from './commands/gateway-worker';
import { ProfileCache } from './profile-cache';
import { IngestWriter } from './ingest-writer';
import { loadNativeUws } from './uws';
import { BackendDirectory } from './routing/backend-directory';
import { WebhookRouter } from './routing/webhooks';
import { createEgress } from '../outbound/egress';
import { LoginRefusals } from './login-refusals';
import { recordLoginRefusals } from '../db/login-refusals';
import { filesFromEnv, type FileStore } from '../db/file-store';
import { DeviceLogSink } from './device-log-sink';
import { mountLogUploads } from './log-upload';

export interface GatewayOptions {
  /** Private networks tenant-given URLs may reach (CIDRs; default none: README "Partner webhooks"). */
  allowedNetworks?: readonly string[];
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  nodeId: string;
  temporalAddress: string;
  namespace: string;
  database: Database;
  logger: Logger;
  helloTimeoutMs: number;
  maxPayloadBytes: number;
  /** How long a lost connection counts as online (set when this gateway starts a twin). */
  offlineGraceMs: number;
  /** Seconds of silence (no message, no pong) before a connection counts as dead; default 120. */
  idleTimeoutS?: number;
  /** New connections per second this gateway admits (a reconnect storm is let in at this rate); default 1,000 (GATEWAY_ADMISSION_RATE). */
  admissionRatePerSecond?: number;
  /** Connections of one device within a minute that count as flapping (refused for a minute); default 20. */
  flapLimit?: number;
  /** Addresses of the TLS terminators (nginx) whose client-certificate headers are believed. */
  trustedProxies?: readonly string[];
  /** How long the server waits for a station's answer to its own CALL (ms); default 30 s. */
  backendCallTimeoutMs?: number;
  /** How long a device profile is cached before it is read again. */
  profileCacheMs?: number;
  /** Failed logins of one device within a minute before it is locked out; default 5. */
  loginFailuresPerDevice?: number;
  /** Failed logins from one source address within a minute before it is locked out; default 100. */
  loginFailuresPerSource?: number;
  /** OCPP upgrades being decided at once (credentials checked); more are answered 503; default 256. */
  maxUpgradesInFlight?: number;
  /** Where Prometheus metrics are served: its own listener, default 127.0.0.1:9464 (0: any free port). */
  metricsHost?: string;
  metricsPort?: number;
  /** Where uploaded device log files are kept; default DOPPEL_FILES_DIR (shared with the API). */
  files?: FileStore;
  /** The largest log file a device may upload (bytes); default 64 MiB (LOG_UPLOAD_MAX_BYTES). */
  maxUploadBytes?: number;
  /** Log lines a device may send a second (a second's worth may come at once); default 100. */
  logLinesPerSecond?: number;
  /** A uWS binary to load instead of the installed package's. */
  uwsBinary?: string | undefined;
}

export interface RunningGateway {
  readonly port: number;
  /** Where GET /metrics is served (a listener of its own, loopback by default). */
  readonly metricsPort: number;
  stop(): Promise<void>;
}

/** Starts the device gateway: uWS on host:port with the /device endpoint and /healthz. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { uws, runtime } = loadNativeUws(options.uwsBinary);
  options.logger.info(
    runtime,
    `uWebSockets.js ${runtime.uws} on Node ${runtime.node} (ABI ${runtime.abi})`,
  );
  const settings = { offlineGraceMs: options.offlineGraceMs };
  const metrics = new GatewayMetrics();
  // Alarm rules are judged in the same transactions as the data they read (docs/alarms.md).
  const alarmRules = new AlarmRuleCache(options.database);
  // Tenants without a site limit write no site-load notice (docs/smart-charging.md).
  const siteLoadTenants = new SiteLoadTenants(options.database);
  await siteLoadTenants.start();
  // The (device, rule) states known here: a datapoint that leaves them as they are needs no statement.
  const steadyPairs = new SteadyPairs();
  // Connects, reports and disconnects go to the device records in batches, not to Temporal.
  const ingest = new IngestWriter(async (items) => {
    const stopTimer = metrics.ingestBatchSeconds.startTimer();
    try {
      const tenants = items.map((i) => i.key.tenantId);
      const [rulesOf, siteLimited] = await Promise.all([
        alarmRules.rulesFor(tenants),
        siteLoadTenants.among(tenants),
      ]);
      const outcomes = await commitIngest(
        options.database,
        items,
        rulesOf,
        steadyPairs,
        siteLimited,
      );
      stopTimer();
      metrics.ingestBatches.inc({ outcome: 'committed' });
      metrics.ingestBatchSize.observe(items.length);
      return outcomes;
    } catch (error) {
      metrics.ingestBatches.inc({ outcome: 'failed' });
      throw error;
    }
  });
  watchBacklogs(
    metrics,
    () => ingest.backlog,
    () => twinNoticeBacklog(options.database),
  );
  const profiles = new ProfileCache(
    (tenantId, model) => findDeviceProfile(options.database, tenantId, model),
    options.profileCacheMs,
  );
  const admission = new Admission({
    ratePerSecond: options.admissionRatePerSecond ?? 1_000,
    flapLimit: options.flapLimit ?? 20,
    flapWindowMs: 60_000,
    coolDownMs: 60_000,
  });
  const egress = createEgress(options.allowedNetworks);
  const directory = new BackendDirectory(options.database, options.logger);
  await directory.start();
  // An operator who reset a device's alarm states: the device is forgotten here (a missed
  // notification — the listening connection came back — forgets every device).
  const resets = await listenTo(
    options.database,
    'alarmStates',
    (payload) => {
      const [tenantId, deviceId] = JSON.parse(payload) as [string, string];
      steadyPairs.forget(tenantId, deviceId);
    },
    () => steadyPairs.forgetAll(),
  );
  const webhooks = new WebhookRouter({
    directory,
    metrics,
    logger: options.logger.child({ part: 'webhooks' }),
    nodeId: options.nodeId,
    egress,
  });
  const telemetry = new TelemetryWriter(async (rows) => {
    const stopTimer = metrics.telemetryBatchSeconds.startTimer();
    const path = await insertTelemetry(
      options.database,
      rows,
      await alarmRules.rulesFor(rows.map((r) => r.tenantId)),
      steadyPairs,
    );
    stopTimer();
    if (path !== 'none') metrics.alarmBatches.inc({ path });
    metrics.telemetryBatchSize.observe(rows.length);
  });
  const verified = new VerifiedSecrets();
  const refusals = new LoginRefusals(
    (rows) => recordLoginRefusals(options.database, rows),
    options.logger,
  );
  const links = new DeviceLinks({
    onForget: (key) => steadyPairs.forget(key.tenantId, key.deviceId),
    refusals,
    telemetry,
    copies: webhooks,
    nodeId: options.nodeId,
    ingest,
    settings,
    logger: options.logger,
    metrics,
    admission,
    authFailures: new AuthFailures({
      perDevice: options.loginFailuresPerDevice ?? 5,
      perSource: options.loginFailuresPerSource ?? 100,
      windowMs: 60_000,
      lockMs: 5_000,
      maxLockMs: 15 * 60_000,
    }),
    authenticate: async (key, secret) =>
      (await checkDeviceSecret(options.database, key, secret, verified))
        ? { model: (await findDeviceTwin(options.database, key))?.model ?? null }
        : false,
    claim: (key, claimToken, form) => claimDevice(options.database, key, claimToken, { form }),
    authenticateCertificate: async (key) =>
      (await deviceCredentialActive(options.database, key))
        ? { model: (await findDeviceTwin(options.database, key))?.model ?? null }
        : false,
    profile: (key, model) => profiles.get(key.tenantId, model),
    normalise: async (key, model, state) => {
      const profile = model ? await profiles.get(key.tenantId, model) : null;
      // Without a profile the report passes as sent: nothing to translate, nothing to flag.
      if (!profile) return { state, flags: {} };
      const { values, unknown, issues } = normaliseReport(profile, state);
      return {
        state: { ...unknown, ...values },
        flags: Object.fromEntries(issues.map((i) => [i.field, i.code])),
      };
    },
  });
  const worker = await startGatewayWorker({ ...options, links });
  // OCPP stations' own alarms and monitors (docs/ocpp.md, "Alarms on the station").
  const stationAlarms = new StationAlarms({
    database: options.database,
    rulesFor: (tenantIds) => alarmRules.rulesFor(tenantIds),
    profile: (key, model) => profiles.get(key.tenantId, model),
    logger: options.logger.child({ part: 'station-alarms' }),
    onWindowsReset: (key) => steadyPairs.forget(key.tenantId, key.deviceId),
  });
  const logs = new DeviceLogSink(options.database, metrics, options.logLinesPerSecond);

  const app = uws.App();
  const authorization = new IdTagAuthorization({
    database: options.database,
    egress,
    metrics,
    logger: options.logger.child({ part: 'id-tag-authorization' }),
  });
  const endpoints = [
    mountDeviceEndpoint(app, {
      links,
      helloTimeoutMs: options.helloTimeoutMs,
      maxPayloadBytes: options.maxPayloadBytes,
      idleTimeoutS: options.idleTimeoutS ?? 120,
      trustedProxies: options.trustedProxies ?? [],
      logs,
    }),
    mountMqttEndpoint(app, {
      links,
      logs,
      connectTimeoutMs: options.helloTimeoutMs,
      maxPacketBytes: options.maxPayloadBytes,
      idleTimeoutS: options.idleTimeoutS ?? 120,
      trustedProxies: options.trustedProxies ?? [],
    }),
    mountOcppEndpoint(app, {
      links,
      database: options.database,
      maxPayloadBytes: options.maxPayloadBytes,
      idleTimeoutS: options.idleTimeoutS ?? 120,
      trustedProxies: options.trustedProxies ?? [],
      maxUpgradesInFlight: options.maxUpgradesInFlight ?? 256,
      routing: { directory, metrics, egress },
      alarms: stationAlarms,
      // Tenants that roam over OCPI authorise idTags with their eMSPs (docs/ocpi.md).
      authorization,
      ...(options.backendCallTimeoutMs ? { callTimeoutMs: options.backendCallTimeoutMs } : {}),
    }),
  ];
  // Devices upload requested log files to the listener they already reach (docs/operations.md).
  mountLogUploads(app, {
    database: options.database,
    files: options.files ?? filesFromEnv(),
    maxBytes: options.maxUploadBytes ?? 64 * 1024 * 1024,
    metrics,
    logger: options.logger.child({ part: 'log-uploads' }),
  });
  app.get('/healthz', (res) => void res.end('ok'));
  app.any('/*', (res) => void res.writeStatus('404 Not Found').end('not found'));
  // Metrics tell how many devices connect, fail and from where: not for the devices' port.
  const metricsApp = uws.App();
  metricsApp.get('/metrics', (res) => {
    res.onAborted(() => (res.aborted = true));
    void metrics.registry.metrics().then((text) => {
      if (!res.aborted)
        res.cork(() => res.writeHeader('content-type', metrics.registry.contentType).end(text));
    });
  });
  metricsApp.any('/*', (res) => void res.writeStatus('404 Not Found').end('not found'));

  const listenSocket = await new Promise<unknown>((resolve, reject) =>
    app.listen(options.host, options.port, (token) =>
      token
        ? resolve(token)
        : reject(
            new Error(`gateway could not listen on ${options.host}:${options.port} (in use?)`),
          ),
    ),
  );
  const port = uws.us_socket_local_port(listenSocket as never);
  const metricsHost = options.metricsHost ?? '127.0.0.1';
  const metricsSocket = await new Promise<unknown>((resolve, reject) =>
    metricsApp.listen(metricsHost, options.metricsPort ?? 9464, (token) =>
      token
        ? resolve(token)
        : reject(
            new Error(`gateway metrics could not listen on ${metricsHost}:${options.metricsPort}`),
          ),
    ),
  );
  const metricsPort = uws.us_socket_local_port(metricsSocket as never);
  options.logger.info(
    { host: options.host, port, nodeId: options.nodeId, metrics: `${metricsHost}:${metricsPort}` },
    'gateway listening',
  );

  return {
    port,
    metricsPort,
    async stop() {
      uws.us_listen_socket_close(listenSocket as never);
      uws.us_listen_socket_close(metricsSocket as never);
      for (const endpoint of endpoints)
        endpoint.closeAll(CloseCode.goingAway, 'gateway shutting down');
      await ingest.drained();
      await refusals.flush();
      await telemetry.drained();
      stationAlarms.stop();
      await logs.drained();
      // Real-time ALLOWEDs the stations were told are recorded before the database goes.
      await authorization.drained();
      await worker.stop();
      webhooks.stop();
      await directory.stop();
      await resets.unlisten();
      await siteLoadTenants.stop();
    },
  };
}
