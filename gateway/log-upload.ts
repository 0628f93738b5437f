import { createHash, randomUUID } from 'node:crypto';
import { PassThrough, Transform, type Readable, type TransformCallback } from 'node:stream';
import busboy from 'busboy';
import type { Logger } from 'pino';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { Database } from '../db/client';
import { claimUpload, recordUpload, setLogRequestStatus } from '../db/device-logs';
import type { FileStore } from '../db/file-store';
import type { GatewayMetrics } from './metrics';

export interface LogUploadOptions {
  database: Database;
  files: FileStore;
  /** The largest file accepted (bytes); more is refused with 413 upload.too-large. */
  maxBytes: number;
  logger: Logger;
  metrics: GatewayMetrics;
}

/** Where devices upload requested log files: `PUT|POST /uploads/{one-time token}`. */
export const UPLOAD_PATH = '/uploads';

class Refusal extends Error {
  constructor(
    readonly status: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const REFUSALS = {
  'upload.unknown': ['404 Not Found', 'no upload was requested at this URL'],
  'upload.expired': ['410 Gone', 'this upload URL has expired: request the log again'],
  'upload.used': ['409 Conflict', 'this upload URL was used already: it takes one upload'],
} as const;

/** Counts and hashes what passes, and stops the stream past `maxBytes`. */
class Measure extends Transform {
  size = 0;
  private readonly hash = createHash('sha256');
  constructor(private readonly maxBytes: number) {
    super();
  }
  override _transform(chunk: Buffer, _: BufferEncoding, done: TransformCallback) {
    this.size += chunk.length;
    if (this.size > this.maxBytes) return done(tooLarge(this.maxBytes));
    this.hash.update(chunk);
    done(null, chunk);
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

const tooLarge = (maxBytes: number) =>
  new Refusal(
    '413 Content Too Large',
    'upload.too-large',
    `the file is larger than ${maxBytes} bytes`,
  );

/**
 * Mounts the upload endpoint on the gateway's listener, the one stations already reach. A
 * request's URL takes one upload: the first PUT or POST claims it (a second is refused, as is
 * one after it expired); the body is the file (PUT, or a POST that is not multipart) or the
 * first file of a multipart/form-data POST (parsed by busboy). The file is stored, then its
 * metadata committed; the station hears 201 only after both.
 */
export function mountLogUploads(app: TemplatedApp, opts: LogUploadOptions): void {
  const handle = (res: HttpResponse, req: HttpRequest) => {
    const token = req.getParameter(0) ?? '';
    const headers: Record<string, string> = {};
    req.forEach((name, value) => (headers[name] = value));
    const body = new PassThrough();
    let aborted = false;
    let received = 0;
    let over = false;
    res.onAborted(() => {
      aborted = true;
      body.destroy(new Error('the device closed the connection'));
    });
    res.onData((chunk, isLast) => {
      received += chunk.byteLength;
      // The chunk that crosses the limit still goes (Measure refuses the file); the rest not.
      if (!over) body.write(Buffer.from(chunk.slice(0)));
      over = received > opts.maxBytes;
      if (isLast) body.end();
    });
    const answer = (status: string, payload: Record<string, unknown>) => {
      if (aborted) return;
      res.cork(() =>
        res
          .writeStatus(status)
          .writeHeader('content-type', 'application/json')
          .end(JSON.stringify(payload)),
      );
    };
    void receive(opts, token, headers, body).then(
      (upload) => {
        opts.metrics.logUploads.inc({ outcome: 'stored' });
        answer('201 Created', upload);
      },
      (error: unknown) => {
        body.resume(); // drain what is left
        opts.metrics.logUploads.inc({ outcome: error instanceof Refusal ? error.code : 'failed' });
        if (error instanceof Refusal)
          return answer(error.status, { code: error.code, message: error.message });
        opts.logger.error({ err: error }, 'log upload failed');
        answer('500 Internal Server Error', {
          code: 'upload.failed',
          message: 'the file could not be stored: request the log again',
        });
      },
    );
  };
  app.put(`${UPLOAD_PATH}/:token`, handle);
  app.post(`${UPLOAD_PATH}/:token`, handle);
}

async function receive(
  opts: LogUploadOptions,
  token: string,
  headers: Record<string, string>,
  body: Readable,
): Promise<Record<string, unknown>> {
  const declared = Number(headers['content-length']);
  // Refused before the URL is claimed: a station may try again with less.
  if (Number.isFinite(declared) && declared > opts.maxBytes + 64 * 1024)
    throw tooLarge(opts.maxBytes);
  const claim = await claimUpload(opts.database, token);
  if (!claim.ok) {
    const [status, message] = REFUSALS[claim.code];
    throw new Refusal(status, claim.code, message);
  }
  const { request } = claim;
  try {
    const file = /^multipart\/form-data/i.test(headers['content-type'] ?? '')
      ? await firstFile(body, headers)
      : {
          stream: body,
          name: `${request.deviceId}-${request.requestNumber}.log`,
          contentType: headers['content-type'] || 'application/octet-stream',
        };
    const id = randomUUID();
    const storeKey = `logs/${id}`;
    const measure = new Measure(opts.maxBytes);
    file.stream.on('error', (e) => measure.destroy(e));
    await opts.files.put(storeKey, file.stream.pipe(measure));
    const upload = await recordUpload(opts.database, {
      id,
      tenantId: request.tenantId,
      deviceId: request.deviceId,
      requestId: request.id,
      name: file.name,
      contentType: file.contentType,
      size: measure.size,
      sha256: measure.digest(),
      storeKey,
    });
    return { id: upload.id, size: upload.size, sha256: upload.sha256 };
  } catch (error) {
    await setLogRequestStatus(opts.database, request.id, 'upload-failed');
    throw error;
  }
}

/** The first file part of a multipart/form-data body. */
function firstFile(
  body: Readable,
  headers: Record<string, string>,
): Promise<{ stream: Readable; name: string; contentType: string }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers, limits: { files: 1 } });
    } catch (error) {
      return reject(
        new Refusal('400 Bad Request', 'upload.bad-multipart', String((error as Error).message)),
      );
    }
    let found = false;
    parser.on('file', (_field, stream, info) => {
      found = true;
      resolve({
        stream,
        name: info.filename || 'upload',
        contentType: info.mimeType || 'application/octet-stream',
      });
    });
    parser.on('error', (error) =>
      reject(
        new Refusal('400 Bad Request', 'upload.bad-multipart', String((error as Error).message)),
      ),
    );
    parser.on('close', () => {
      if (!found)
        reject(new Refusal('400 Bad Request', 'upload.no-file', 'the form holds no file'));
    });
    body.on('error', (error) => parser.destroy(error));
    body.pipe(parser);
  });
}
