import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Where uploaded device files (diagnostics archives) are kept: the bytes by key, their
 * metadata in PostgreSQL (db/device-logs.ts). Small on purpose, so an object store (S3, GCS)
 * can stand in for the filesystem default.
 */
export interface FileStore {
  /** Stores the stream's bytes under `key`; visible only once complete (a failed put leaves nothing). */
  put(key: string, data: Readable): Promise<void>;
  /** The bytes under `key`, or null when there are none. */
  get(key: string): Promise<Readable | null>;
  delete(key: string): Promise<void>;
}

const SAFE_KEY = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/**
 * The default FileStore: one file per key under `directory` (DOPPEL_FILES_DIR). Every process
 * that uploads or serves files (gateways, the API) must see the same directory: one host, or a
 * shared volume.
 */
export class FsFileStore implements FileStore {
  constructor(private readonly directory: string) {}

  private pathOf(key: string): string {
    if (!SAFE_KEY.test(key) || key.split('/').some((p) => p === '..' || p === '.'))
      throw new Error(`not a file key: ${key}`);
    return path.join(this.directory, key);
  }

  async put(key: string, data: Readable): Promise<void> {
    const file = this.pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    const partial = `${file}.partial`;
    try {
      await pipeline(data, createWriteStream(partial));
      await rename(partial, file);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<Readable | null> {
    const file = this.pathOf(key);
    try {
      await stat(file);
    } catch {
      return null;
    }
    return createReadStream(file);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}

/** The store the processes share by default: DOPPEL_FILES_DIR, else ./data/files. */
export const filesFromEnv = (env: NodeJS.ProcessEnv = process.env): FileStore =>
  new FsFileStore(path.resolve(env.DOPPEL_FILES_DIR || 'data/files'));
