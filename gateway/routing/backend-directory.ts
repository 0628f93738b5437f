import type { Logger } from 'pino';
import { listBackends } from '../../db/backend-store';
import type { Database } from '../../db/client';
import { listenTo } from '../../db/notifications';
import type { OcppBackend, WebhookBackend } from '../../twins/routing';

/** The kinds a gateway serves: OCPI backends only narrow what an OCPI party sees (the API's). */
export type GatewayBackend = OcppBackend | WebhookBackend;

export interface DirectoryEntry {
  readonly backend: GatewayBackend;
  readonly version: number;
}

/**
 * The gateway's view of the backends table: loaded per tenant on first use, reloaded when
 * the API's NOTIFY says a tenant's backends changed (or the LISTEN connection came back), so
 * adding, changing or removing a backend reaches connected devices without a restart.
 */
export class BackendDirectory {
  private readonly cache = new Map<string, Promise<DirectoryEntry[]>>();
  /** The same, once loaded: lets the hot path skip a tenant without backends synchronously. */
  private readonly loaded = new Map<string, DirectoryEntry[]>();
  private readonly subscribers = new Map<string, Set<() => void>>();
  private unlisten: (() => Promise<void>) | null = null;

  constructor(
    private readonly database: Database,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const listener = await listenTo(
      this.database,
      'backends',
      (tenantId) => this.changed(tenantId),
      // (Re)connected: a notification may have been missed meanwhile.
      () => {
        for (const tenantId of [...this.cache.keys()]) this.changed(tenantId);
      },
    );
    this.unlisten = listener.unlisten;
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
  }

  /** The tenant's OCPP and webhook backends, with their secrets (cached until the next change). */
  backendsOf(tenantId: string): Promise<DirectoryEntry[]> {
    let entry = this.cache.get(tenantId);
    if (!entry) {
      const loading: Promise<DirectoryEntry[]> = listBackends(this.database, tenantId).then(
        (rows) => {
          // OCPI backends open no link and get no copies: the gateway leaves them out.
          const entries = rows.flatMap(({ backend, version }) =>
            backend.kind === 'ocpi' ? [] : [{ backend, version }],
          );
          if (this.cache.get(tenantId) === loading) this.loaded.set(tenantId, entries);
          return entries;
        },
      );
      entry = loading;
      entry.catch(() => this.cache.delete(tenantId));
      this.cache.set(tenantId, entry);
    }
    return entry;
  }

  /** The tenant's backends if they are loaded and unchanged since; undefined otherwise. */
  loadedOf(tenantId: string): readonly DirectoryEntry[] | undefined {
    return this.loaded.get(tenantId);
  }

  /** Calls `listener` after each change of the tenant's backends; returns the unsubscribe. */
  subscribe(tenantId: string, listener: () => void): () => void {
    let set = this.subscribers.get(tenantId);
    if (!set) this.subscribers.set(tenantId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.subscribers.delete(tenantId);
    };
  }

  private changed(tenantId: string): void {
    this.cache.delete(tenantId);
    this.loaded.delete(tenantId);
    const listeners = this.subscribers.get(tenantId);
    this.logger.info({ tenant: tenantId, devices: listeners?.size ?? 0 }, 'backends changed');
    for (const listener of listeners ?? []) {
      try {
        listener();
      } catch (err) {
        this.logger.error({ err }, 'backend change listener failed');
      }
    }
  }
}
