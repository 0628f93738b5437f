import os from 'node:os';
import { z } from 'zod';
import { parseNetworks } from '../outbound/egress';

/** Thrown when the environment does not describe a runnable process; the message says how to fix it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const port = z.coerce.number().int().min(0).max(65535);
const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:7233');
const postgresUrl = z.url({
  protocol: /^postgres(ql)?$/,
  error: 'expected postgres://user:password@host:port/database',
});

const logging = {
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default(process.stdout.isTTY ? 'pretty' : 'json'),
};

const backends = {
  TEMPORAL_ADDRESS: hostPort,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  DATABASE_URL: postgresUrl,
};

/** Migrations as the tables' owner, the roles as a role that owns nothing (docs/database-roles.md). */
const migration = {
  MIGRATION_DATABASE_URL: postgresUrl.optional(),
  DATABASE_APP_ROLE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'a plain role name, e.g. doppel_app')
    .optional(),
};

/**
 * The worker and the API apply pending migrations at start unless told not to: with a
 * migration step of their own (compose's migrate, the chart's Job) they only check the schema
 * is current, and never hold the owner's credentials.
 */
const migrateAtStart = {
  MIGRATE_AT_START: z.stringbool({ error: 'true or false' }).default(true),
};

/** The worker's Prometheus metrics (with Temporal Core's): a listener of their own, loopback by default. */
const workerMetrics = {
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  WORKER_METRICS_PORT: port.default(9466),
};

const twins = {
  /** A lost connection counts as online this long, so a flapping device does not storm. */
  DEVICE_OFFLINE_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(15_000),
  /**
   * Signals per second each worker sends to twins for changes the ingest path committed that
   * need them (docs/architecture.md, "notices"); size to the Temporal cluster (docs/scaling.md).
   */
  TWIN_NOTICE_RATE: z.coerce.number().int().min(1).max(100_000).default(200),
  /**
   * Workflows a worker keeps in memory between their tasks (Temporal's sticky cache); one that
   * is evicted replays its short history on its next task. Twins are mostly idle: the cache
   * bounds a worker's memory, not how many twins it serves (docs/scaling.md).
   */
  TWIN_WORKFLOW_CACHE: z.coerce.number().int().min(2).max(1_000_000).default(1_000),
};

const gateway = {
  GATEWAY_HOST: z.string().min(1).default('0.0.0.0'),
  GATEWAY_PORT: port.default(8080),
  /** Prometheus metrics: a listener of their own, on loopback unless an operator opens it. */
  GATEWAY_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  GATEWAY_METRICS_PORT: port.default(9464),
  GATEWAY_NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .default(`${os.hostname()}-${process.pid}`),
  GATEWAY_HELLO_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  /**
   * New connections per second a gateway lets in (the rest get 503 + Retry-After). A connect
   * costs no Temporal action, only a share of a batched PostgreSQL transaction and ~0.5 ms of
   * the gateway's CPU (BENCHMARKS.md, cost per event): 1,000/s keeps a storm's connects under
   * about half of one core. (500 while every connect was a signal to its twin.)
   */
  GATEWAY_ADMISSION_RATE: z.coerce.number().int().min(1).max(1_000_000).default(1_000),
  GATEWAY_FLAP_LIMIT: z.coerce.number().int().min(1).max(10_000).default(20),
  /** Failed logins of one device, and from one source address, per minute before a lock-out. */
  GATEWAY_LOGIN_FAILURES_PER_DEVICE: z.coerce.number().int().min(1).max(1_000_000).default(5),
  GATEWAY_LOGIN_FAILURES_PER_SOURCE: z.coerce.number().int().min(1).max(1_000_000).default(100),
  /** OCPP upgrades whose credentials are being checked at once; more are answered 503. */
  GATEWAY_UPGRADES_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(256),
  /** TLS terminators whose X-Client-Verify/X-Client-Subject headers count (OCPP security profile 3). */
  GATEWAY_TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  GATEWAY_IDLE_TIMEOUT_S: z.coerce.number().int().min(8).max(3600).default(120),
  GATEWAY_MAX_PAYLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(64 * 1024),
  /** A uWS binary to load instead of the installed package's (an operator's own build). */
  GATEWAY_UWS_BINARY: z.string().endsWith('.node', 'a path to a .node file').optional(),
};

/** Uploaded device log files (docs/operations.md, "Device logs and diagnostics"). */
const files = {
  /** Where they are kept: the same directory for gateways, APIs and workers (one host or a shared volume). */
  DOPPEL_FILES_DIR: z.string().min(1).default('data/files'),
};

const deviceLogs = {
  /** Days of device log lines kept (whole day partitions are dropped). */
  DEVICE_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3660).default(30),
  /** Days uploaded log files are kept. */
  LOG_UPLOAD_RETENTION_DAYS: z.coerce.number().int().min(1).max(3660).default(30),
};

const gatewayLogs = {
  /** The largest log file a device may upload. */
  LOG_UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(4 * 1024 ** 3)
    .default(64 * 1024 * 1024),
  /** Log lines one device may send a second (a second's worth at once); more are dropped. */
  DEVICE_LOG_LINES_PER_S: z.coerce.number().int().min(1).max(100_000).default(100),
};

const apiLogs = {
  /**
   * The gateway's base URL as devices reach it (e.g. https://gw.example.com): one-time log
   * upload URLs start with it. Without it, requestDeviceLog is refused (api:logs.no-upload-url).
   */
  DEVICE_UPLOAD_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * The API's base URL as OCPI parties reach it (e.g. https://api.example.com): versions and
   * module URLs start with it (docs/ocpi.md). Default: the API's own listen address.
   */
  OCPI_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
};

/** The console links a twin to its workflow in Temporal UI (docs/console.md); unset: no link. */
const temporalUi = {
  /** Temporal UI's base URL as operators' browsers reach it, e.g. https://temporal.example.com. */
  DOPPEL_TEMPORAL_UI_URL: z.url({ protocol: /^https?$/ }).optional(),
};

const api = {
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(4000),
  /** Prometheus metrics: a listener of their own, on loopback unless an operator opens it. */
  API_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  API_METRICS_PORT: port.default(9465),
  /** Users' JWTs are verified with exactly one of these (see README "Authentication"). */
  API_JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  API_JWT_PUBLIC_KEY: z.string().includes('BEGIN', { message: 'a PEM public key' }).optional(),
  API_JWT_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  API_JWT_ISSUER: z.string().min(1).optional(),
  /** Required with API_JWT_PUBLIC_KEY or API_JWT_JWKS_URL (see needsAudience). */
  API_JWT_AUDIENCE: z.string().min(1).optional(),
  /** Requests per caller (principal) and second, on average; refused ones count too. */
  API_RATE_LIMIT_PER_S: z.coerce.number().positive().max(100_000).default(20),
  /** Requests a caller may make at once, before API_RATE_LIMIT_PER_S applies. */
  API_RATE_LIMIT_BURST: z.coerce.number().int().min(1).max(1_000_000).default(200),
};

type ApiAuthEnv = {
  API_JWT_SECRET?: string | undefined;
  API_JWT_PUBLIC_KEY?: string | undefined;
  API_JWT_JWKS_URL?: string | undefined;
  API_JWT_ISSUER?: string | undefined;
  API_JWT_AUDIENCE?: string | undefined;
};

/** The API's JWT settings from the environment. */
export const jwtConfigOf = (env: ApiAuthEnv) => ({
  secret: env.API_JWT_SECRET,
  publicKey: env.API_JWT_PUBLIC_KEY,
  jwksUrl: env.API_JWT_JWKS_URL,
  issuer: env.API_JWT_ISSUER,
  audience: env.API_JWT_AUDIENCE,
});

const oneJwtKey = (env: ApiAuthEnv) =>
  [env.API_JWT_SECRET, env.API_JWT_PUBLIC_KEY, env.API_JWT_JWKS_URL].filter(Boolean).length;

/**
 * An identity provider signs tokens for every application it serves: without an audience of
 * our own, a token it issued for another application would be accepted here. A secret of our
 * own (HS256) signs for this API only, so the audience stays optional there.
 */
const hasAudienceWhenShared = (env: ApiAuthEnv) =>
  !(env.API_JWT_PUBLIC_KEY || env.API_JWT_JWKS_URL) || Boolean(env.API_JWT_AUDIENCE);
const audienceRequired = {
  message:
    "set API_JWT_AUDIENCE to this API's audience (the aud your identity provider puts in its tokens): it is required with API_JWT_PUBLIC_KEY or API_JWT_JWKS_URL",
  path: ['API_JWT_AUDIENCE'],
};

/** The API's rate limit per caller from the environment. */
export const rateLimitOf = (env: {
  API_RATE_LIMIT_PER_S: number;
  API_RATE_LIMIT_BURST: number;
}) => ({
  perSecond: env.API_RATE_LIMIT_PER_S,
  burst: env.API_RATE_LIMIT_BURST,
});

/**
 * The gateway's options that come straight from its settings, shared by the gateway role and
 * the embedded runtime (each adds its connections: database, Temporal, files, logger).
 */
export const gatewayOptionsOf = (
  env: z.infer<z.ZodObject<typeof gateway>> &
    Pick<z.infer<z.ZodObject<typeof twins>>, 'DEVICE_OFFLINE_GRACE_MS'> &
    z.infer<z.ZodObject<typeof gatewayLogs>>,
) => ({
  host: env.GATEWAY_HOST,
  port: env.GATEWAY_PORT,
  nodeId: env.GATEWAY_NODE_ID,
  helloTimeoutMs: env.GATEWAY_HELLO_TIMEOUT_MS,
  maxPayloadBytes: env.GATEWAY_MAX_PAYLOAD_BYTES,
  offlineGraceMs: env.DEVICE_OFFLINE_GRACE_MS,
  idleTimeoutS: env.GATEWAY_IDLE_TIMEOUT_S,
  admissionRatePerSecond: env.GATEWAY_ADMISSION_RATE,
  flapLimit: env.GATEWAY_FLAP_LIMIT,
  metricsHost: env.GATEWAY_METRICS_HOST,
  metricsPort: env.GATEWAY_METRICS_PORT,
  loginFailuresPerDevice: env.GATEWAY_LOGIN_FAILURES_PER_DEVICE,
  loginFailuresPerSource: env.GATEWAY_LOGIN_FAILURES_PER_SOURCE,
  maxUpgradesInFlight: env.GATEWAY_UPGRADES_IN_FLIGHT,
  trustedProxies: env.GATEWAY_TRUSTED_PROXIES,
  uwsBinary: env.GATEWAY_UWS_BINARY,
  maxUploadBytes: env.LOG_UPLOAD_MAX_BYTES,
  logLinesPerSecond: env.DEVICE_LOG_LINES_PER_S,
});

const outbox = {
  /** Subscribers can resume from a cursor this recent; older outbox rows are pruned. */
  OUTBOX_RETENTION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 366)
    .default(24 * 7),
};

const ledger = {
  /** Ed25519 private key (PKCS#8 PEM) that signs ledger checkpoints; or a file holding it. */
  LEDGER_SIGNING_KEY: z
    .string()
    .includes('PRIVATE KEY', { message: 'a PEM private key' })
    .optional(),
  LEDGER_SIGNING_KEY_FILE: z.string().min(1).optional(),
  /** How often the tenants' chain heads are signed (at most a minute, issue 8). */
  LEDGER_CHECKPOINT_INTERVAL_S: z.coerce.number().int().min(1).max(60).default(30),
};

/** Private networks tenant-given URLs (webhooks, admission hooks, HTTP backends) may reach. */
const egressNetworks = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      try {
        return parseNetworks(v);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    });
const egress = { EGRESS_ALLOWED_NETWORKS: egressNetworks('') };

/** The SMTP server alarm e-mails go through (docs/alarms.md, "Notifications"); none: no e-mail. */
const smtp = {
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: port.default(587),
  /** TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
  SMTP_SECURE: z.stringbool({ error: 'true or false' }).default(false),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().optional(),
  SMTP_FROM: z.string().min(3).default('Doppel <doppel@localhost>'),
  /** How often the alarm notifier routes, reminds, cuts digests and sends. */
  ALARM_NOTIFY_TICK_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
};

/** The worker's notifier settings from its configuration. */
export function alarmNotificationsOf(config: {
  SMTP_HOST?: string | undefined;
  SMTP_PORT: number;
  SMTP_SECURE: boolean;
  SMTP_USER?: string | undefined;
  SMTP_PASSWORD?: string | undefined;
  SMTP_FROM: string;
  ALARM_NOTIFY_TICK_MS: number;
}) {
  return {
    tickMs: config.ALARM_NOTIFY_TICK_MS,
    ...(config.SMTP_HOST
      ? {
          smtp: {
            host: config.SMTP_HOST,
            port: config.SMTP_PORT,
            secure: config.SMTP_SECURE,
            user: config.SMTP_USER,
            password: config.SMTP_PASSWORD,
            from: config.SMTP_FROM,
          },
        }
      : {}),
  };
}

export const workerConfig = z.object({
  ...egress,
  ...smtp,
  ...logging,
  ...backends,
  ...migration,
  ...migrateAtStart,
  ...outbox,
  ...ledger,
  ...twins,
  ...workerMetrics,
  ...files,
  ...deviceLogs,
  /** The task queue of twins and operations (a separate queue isolates a workload). */
  TEMPORAL_TASK_QUEUE: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, ".", "_" or "-"')
    .optional(),
});
/** `npm run temporal:namespace` (deploy/roles/temporal-namespace.ts). */
export const temporalNamespaceConfig = workerConfig.pick({
  TEMPORAL_ADDRESS: true,
  TEMPORAL_NAMESPACE: true,
});
export const gatewayConfig = z.object({
  ...logging,
  ...backends,
  ...twins,
  ...gateway,
  ...egress,
  ...files,
  ...gatewayLogs,
});
export const apiConfig = z
  .object({
    ...logging,
    ...backends,
    ...migration,
    ...migrateAtStart,
    ...twins,
    ...api,
    ...egress,
    ...files,
    ...apiLogs,
    ...temporalUi,
    /**
     * The queue partner webhooks are delivered from, for a worker pool of their own (workers
     * with this TEMPORAL_TASK_QUEUE); by default the twins' queue. Not in `npm start`, whose one
     * worker serves the twins' queue only.
     */
    WEBHOOK_TASK_QUEUE: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, ".", "_" or "-"')
      .optional(),
  })
  .refine((env) => oneJwtKey(env) === 1, {
    message: 'set exactly one of API_JWT_SECRET, API_JWT_PUBLIC_KEY or API_JWT_JWKS_URL',
    path: ['API_JWT_SECRET'],
  })
  .refine(hasAudienceWhenShared, audienceRequired);

/** `npm start`: every role in one process, with Temporal and PostgreSQL started unless given. */
export const embeddedConfig = z
  .object({
    ...logging,
    ...smtp,
    ...outbox,
    ...twins,
    ...gateway,
    ...api,
    ...workerMetrics,
    ...deviceLogs,
    ...gatewayLogs,
    ...apiLogs,
    /** Default: the dev server's UI (TEMPORAL_UI_PORT), when `npm start` runs it. */
    ...temporalUi,
    /** Default: the data directory's files/. */
    DOPPEL_FILES_DIR: z.string().min(1).optional(),
    TEMPORAL_ADDRESS: hostPort.optional(),
    ...ledger,
    TEMPORAL_NAMESPACE: backends.TEMPORAL_NAMESPACE,
    TEMPORAL_PORT: port.default(7233),
    TEMPORAL_UI_PORT: port.default(8233),
    DATABASE_URL: postgresUrl.optional(),
    ...migration,
    POSTGRES_PORT: port.default(54329),
    // Tenants' URLs reach public addresses only, as in production. To try webhooks with a
    // receiver on this machine, allow loopback explicitly (EGRESS_ALLOWED_NETWORKS=127.0.0.0/8);
    // the start-up table shows what is allowed.
    EGRESS_ALLOWED_NETWORKS: egressNetworks(''),
  })
  .refine((env) => oneJwtKey(env) <= 1, {
    message: 'set at most one of API_JWT_SECRET, API_JWT_PUBLIC_KEY or API_JWT_JWKS_URL',
    path: ['API_JWT_SECRET'],
  })
  .refine(hasAudienceWhenShared, audienceRequired);

const nodeCount = z.coerce.number().int().min(1).max(16).default(1);

/**
 * `npm run start:cluster`: the real Temporal server on the private PostgreSQL (unless
 * TEMPORAL_ADDRESS / DATABASE_URL point elsewhere) and every role as a process of its own. The
 * roles read the rest of their configuration from the same environment.
 */
export const clusterConfig = z
  .object({
    ...logging,
    TEMPORAL_ADDRESS: hostPort.optional(),
    TEMPORAL_NAMESPACE: backends.TEMPORAL_NAMESPACE,
    /** The frontend's gRPC port, the cluster's address; the other services take free ports. */
    TEMPORAL_PORT: port.default(7233),
    TEMPORAL_UI_PORT: port.default(8233),
    /** Fixed when the cluster is created (default 64); a different value later is refused. */
    TEMPORAL_HISTORY_SHARDS: z.coerce.number().int().min(1).max(16_384).optional(),
    /** History processes sharing the shards; when one dies the others take its shards over. */
    TEMPORAL_HISTORY_NODES: nodeCount,
    /** Nodes of each role. Several gateways or APIs run behind HAProxy (L4) on GATEWAY_PORT /
     * API_PORT; workers share the task queues. */
    CLUSTER_GATEWAYS: nodeCount,
    CLUSTER_WORKERS: nodeCount,
    CLUSTER_APIS: nodeCount,
    /** A process that dies on its own is started again after this long, as an orchestrator
     * would; 0 leaves it dead. */
    CLUSTER_RESTART_AFTER_MS: z.coerce.number().int().min(0).max(600_000).default(3_000),
    DATABASE_URL: postgresUrl.optional(),
    ...migration,
    POSTGRES_PORT: port.default(54329),
    GATEWAY_HOST: gateway.GATEWAY_HOST,
    GATEWAY_PORT: port.min(1).default(8080),
    GATEWAY_METRICS_HOST: gateway.GATEWAY_METRICS_HOST,
    GATEWAY_METRICS_PORT: port.min(1).default(9464),
    API_HOST: api.API_HOST,
    API_PORT: port.min(1).default(4000),
    API_JWT_SECRET: api.API_JWT_SECRET,
    API_JWT_PUBLIC_KEY: api.API_JWT_PUBLIC_KEY,
    API_JWT_JWKS_URL: api.API_JWT_JWKS_URL,
    /** Default: the cluster's own UI server (TEMPORAL_UI_PORT), when it runs one. */
    ...temporalUi,
    ...ledger,
    EGRESS_ALLOWED_NETWORKS: egressNetworks(''),
  })
  .refine((env) => oneJwtKey(env) <= 1, {
    message: 'set at most one of API_JWT_SECRET, API_JWT_PUBLIC_KEY or API_JWT_JWKS_URL',
    path: ['API_JWT_SECRET'],
  });

/** Parses the environment once; a bad or missing value stops the process with a readable list. */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  role: string,
  env = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      `The ${role} cannot start; fix these environment variables:\n${z.prettifyError(result.error)}`,
    );
  }
  return result.data;
}
