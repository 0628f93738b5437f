import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DeviceKey } from '../twins/ids';
import type { Database } from './client';

/** Log levels, least to most severe; a search for a level finds it and every more severe one. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogLine {
  readonly tenantId: string;
  readonly deviceId: string;
  /** When the device wrote it (its clock). */
  readonly at: string;
  readonly level: LogLevel;
  /** Which part of the device wrote it ('' when it does not say). */
  readonly source: string;
  readonly text: string;
  readonly attributes: Record<string, unknown>;
}

export interface StoredLogLine extends LogLine {
  readonly id: string;
  readonly receivedAt: string;
}

/**
 * One INSERT for a batch of lines (gateway/device-log-sink.ts), the batch as one JSON
 * parameter expanded by jsonb_to_recordset as telemetry does (db/telemetry-store.ts).
 */
export async function insertLogLines(database: Database, lines: readonly LogLine[]): Promise<void> {
  if (lines.length === 0) return;
  const batch = JSON.stringify(
    lines.map((l) => ({
      tenant_id: l.tenantId,
      device_id: l.deviceId,
      at: l.at,
      level: l.level,
      source: l.source,
      text: l.text,
      attributes: l.attributes,
    })),
  );
  await database.sql`
    insert into device_log_lines (tenant_id, device_id, at, level, source, text, attributes)
    select tenant_id, device_id, at, level, source, text, attributes
    from jsonb_to_recordset(${batch}::jsonb)
      as r(tenant_id text, device_id text, at timestamptz, level text, source text, text text,
           attributes jsonb)`;
}

export interface LogFilter {
  /** Device time, inclusive. */
  from?: string | null | undefined;
  to?: string | null | undefined;
  /** This level and the more severe ones. */
  level?: LogLevel | null | undefined;
  /** A substring, case-insensitive (served by the trigram index). */
  text?: string | null | undefined;
}

/** The levels a filter's `level` admits. */
export const levelsFrom = (level: LogLevel): LogLevel[] =>
  LOG_LEVELS.slice(LOG_LEVELS.indexOf(level));

/** `%`, `_` and `\` stand for themselves in the searched text. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * A device's lines matching the filter: newest received first, `before` an id (a page's
 * cursor), or — with `newerThan` — the lines received after that id, oldest first (follow).
 */
export async function searchLogLines(
  database: Database,
  key: DeviceKey,
  filter: LogFilter,
  page: { limit: number; before?: string | undefined; newerThan?: string | undefined },
): Promise<StoredLogLine[]> {
  const sql = database.sql;
  const conditions = [sql`tenant_id = ${key.tenantId}`, sql`device_id = ${key.deviceId}`];
  if (filter.from) conditions.push(sql`at >= ${filter.from}::timestamptz`);
  if (filter.to) conditions.push(sql`at <= ${filter.to}::timestamptz`);
  if (filter.level) conditions.push(sql`level = any(${levelsFrom(filter.level)})`);
  if (filter.text) conditions.push(sql`text ilike ${likePattern(filter.text)}`);
  if (page.before) conditions.push(sql`id < ${page.before}::bigint`);
  if (page.newerThan) conditions.push(sql`id > ${page.newerThan}::bigint`);
  const where = conditions.reduce((all, c) => sql`${all} and ${c}`);
  const order = page.newerThan ? sql`order by id asc` : sql`order by id desc`;
  const rows = await sql<
    {
      id: string;
      tenant_id: string;
      device_id: string;
      at: Date | string;
      level: LogLevel;
      source: string;
      text: string;
      attributes: Record<string, unknown>;
      received_at: Date | string;
    }[]
  >`select id::text, tenant_id, device_id, at, level, source, text, attributes, received_at
    from device_log_lines where ${where} ${order} limit ${page.limit}`;
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenant_id,
    deviceId: r.device_id,
    at: new Date(r.at).toISOString(),
    level: r.level,
    source: r.source,
    text: r.text,
    attributes: r.attributes,
    receivedAt: new Date(r.received_at).toISOString(),
  }));
}

/**
 * Adds the partitions of today and `aheadDays` after it, drops those older than
 * `retentionDays` (whole days, UTC), through device_log_partitions() (migration 0034).
 * `today` is for tests; by default the database's clock decides.
 */
export async function maintainLogPartitions(
  database: Database,
  options: { retentionDays: number; aheadDays: number; today?: string },
): Promise<{ created: number; dropped: number }> {
  const [r] = options.today
    ? await database.sql<{ created: number; dropped: number }[]>`
        select * from device_log_partitions(${options.retentionDays}::int, ${options.aheadDays}::int, ${options.today}::date)`
    : await database.sql<{ created: number; dropped: number }[]>`
        select * from device_log_partitions(${options.retentionDays}::int, ${options.aheadDays}::int)`;
  return { created: r?.created ?? 0, dropped: r?.dropped ?? 0 };
}

// --- Log files: requests with one-time upload URLs, and the uploads -------------------------

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export interface LogRequest {
  id: string;
  tenantId: string;
  deviceId: string;
  requestNumber: number;
  from: string | null;
  to: string | null;
  expiresAt: string;
  usedAt: string | null;
  status: string;
  statusAt: string;
  requestedBy: string;
  createdAt: string;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function requestOf(r: Record<string, any>): LogRequest {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    deviceId: r.device_id,
    requestNumber: r.request_number,
    from: iso(r.from),
    to: iso(r.to),
    expiresAt: iso(r.expires_at)!,
    usedAt: iso(r.used_at),
    status: r.status,
    statusAt: iso(r.status_at)!,
    requestedBy: r.requested_by,
    createdAt: iso(r.created_at)!,
  };
}

/**
 * A new request for a device's log file and its upload token (32 random bytes; only its
 * SHA-256 is stored). The request number is what OCPP 2.0.1 status notifications carry.
 */
export async function createLogRequest(
  database: Database,
  key: DeviceKey,
  input: { from?: string | null; to?: string | null; ttlMs: number; requestedBy: string },
): Promise<{ request: LogRequest; token: string }> {
  const token = randomBytes(32).toString('base64url');
  const requestNumber = randomBytes(4).readUInt32BE() >>> 1;
  const [row] = await database.sql`
    insert into log_requests (id, tenant_id, device_id, request_number, token_hash, "from", "to",
      expires_at, requested_by)
    values (${randomUUID()}, ${key.tenantId}, ${key.deviceId}, ${requestNumber}, ${sha256(token)},
      ${input.from ?? null}, ${input.to ?? null},
      now() + make_interval(secs => ${input.ttlMs / 1000}), ${input.requestedBy})
    returning *`;
  return { request: requestOf(row!), token };
}

export async function setLogRequestStatus(
  database: Database,
  id: string,
  status: string,
): Promise<void> {
  await database.sql`update log_requests set status = ${status}, status_at = now() where id = ${id}`;
}

/**
 * Records a device's Log/DiagnosticsStatusNotification on its request: the one with that
 * request number, or (OCPP 1.6 names none) the device's newest. Statuses after `uploaded`
 * (the file is here) do not overwrite it, except a failure.
 */
export async function recordLogStatus(
  database: Database,
  key: DeviceKey,
  requestNumber: number | null,
  status: string,
): Promise<void> {
  await database.sql`
    update log_requests set status = ${status}, status_at = now()
    where id = (
      select id from log_requests
      where tenant_id = ${key.tenantId} and device_id = ${key.deviceId}
        ${requestNumber === null ? database.sql`` : database.sql`and request_number = ${requestNumber}`}
      order by created_at desc limit 1)
      and (status <> 'uploaded' or ${status} ilike '%fail%')`;
}

export type UploadClaim =
  | { ok: true; request: LogRequest }
  | { ok: false; code: 'upload.unknown' | 'upload.expired' | 'upload.used' };

/**
 * Claims a one-time upload URL: the first upload to it wins, atomically; a second is refused
 * (`upload.used`), as is one after it expired (`upload.expired`) or with a token never issued.
 */
export async function claimUpload(database: Database, token: string): Promise<UploadClaim> {
  const hash = sha256(token);
  const [claimed] = await database.sql`
    update log_requests set used_at = now(), status = 'uploading', status_at = now()
    where token_hash = ${hash} and used_at is null and expires_at > now()
    returning *`;
  if (claimed) return { ok: true, request: requestOf(claimed) };
  const [known] = await database.sql<{ used: boolean }[]>`
    select used_at is not null as used from log_requests where token_hash = ${hash}`;
  if (!known) return { ok: false, code: 'upload.unknown' };
  return { ok: false, code: known.used ? 'upload.used' : 'upload.expired' };
}

export interface LogUpload {
  id: string;
  tenantId: string;
  deviceId: string;
  requestId: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  storeKey: string;
  uploadedAt: string;
}

function uploadOf(r: Record<string, any>): LogUpload {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    deviceId: r.device_id,
    requestId: r.request_id,
    name: r.name,
    contentType: r.content_type,
    size: Number(r.size),
    sha256: r.sha256,
    storeKey: r.store_key,
    uploadedAt: iso(r.uploaded_at)!,
  };
}

/** The upload's metadata, and its request marked `uploaded`, in one transaction. */
export async function recordUpload(
  database: Database,
  upload: Omit<LogUpload, 'uploadedAt'>,
): Promise<LogUpload> {
  return database.sql.begin(async (tx) => {
    const [row] = await tx`
      insert into log_uploads (id, tenant_id, device_id, request_id, name, content_type, size,
        sha256, store_key)
      values (${upload.id}, ${upload.tenantId}, ${upload.deviceId}, ${upload.requestId},
        ${upload.name}, ${upload.contentType}, ${upload.size}, ${upload.sha256}, ${upload.storeKey})
      returning *`;
    await tx`update log_requests set status = 'uploaded', status_at = now() where id = ${upload.requestId}`;
    return uploadOf(row!);
  });
}

export interface UploadFilter {
  from?: string | null | undefined;
  to?: string | null | undefined;
  /** A substring of the file name, case-insensitive. */
  name?: string | null | undefined;
}

/** A device's uploads, newest first, matching the filter. */
export async function searchUploads(
  database: Database,
  key: DeviceKey,
  filter: UploadFilter,
  limit: number,
): Promise<LogUpload[]> {
  const sql = database.sql;
  const conditions = [sql`tenant_id = ${key.tenantId}`, sql`device_id = ${key.deviceId}`];
  if (filter.from) conditions.push(sql`uploaded_at >= ${filter.from}::timestamptz`);
  if (filter.to) conditions.push(sql`uploaded_at <= ${filter.to}::timestamptz`);
  if (filter.name) conditions.push(sql`name ilike ${likePattern(filter.name)}`);
  const where = conditions.reduce((all, c) => sql`${all} and ${c}`);
  const rows = await sql`select * from log_uploads where ${where}
    order by uploaded_at desc, id limit ${limit}`;
  return rows.map(uploadOf);
}

/** One upload of the tenant, by its id or by its request's. */
export async function findUpload(
  database: Database,
  tenantId: string,
  by: { id: string } | { requestId: string },
): Promise<LogUpload | null> {
  const sql = database.sql;
  const match = 'id' in by ? sql`id = ${by.id}` : sql`request_id = ${by.requestId}`;
  const [row] = await sql`select * from log_uploads where tenant_id = ${tenantId} and ${match}`;
  return row ? uploadOf(row) : null;
}

export async function findLogRequests(
  database: Database,
  key: DeviceKey,
  limit: number,
): Promise<LogRequest[]> {
  const rows = await database.sql`select * from log_requests
    where tenant_id = ${key.tenantId} and device_id = ${key.deviceId}
    order by created_at desc limit ${limit}`;
  return rows.map(requestOf);
}

/**
 * Deletes upload rows older than `retentionMs` and returns their store keys, for the caller to
 * delete from the FileStore (a file whose row is gone is never served; a row whose file is
 * gone would be).
 */
export async function pruneUploads(database: Database, retentionMs: number): Promise<string[]> {
  const rows = await database.sql<{ store_key: string }[]>`
    delete from log_uploads
    where uploaded_at < now() - make_interval(secs => ${retentionMs / 1000})
    returning store_key`;
  return rows.map((r) => r.store_key);
}
