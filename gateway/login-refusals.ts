import type { Logger } from 'pino';
import type { LoginRefusal } from '../db/login-refusals';
import type { DeviceKey } from '../twins/ids';

type Write = (refusals: readonly LoginRefusal[]) => Promise<void>;

interface Waiting {
  readonly key: DeviceKey;
  count: number;
  readonly firstAt: string;
  lastAt: string;
  lastCode: string;
}

/**
 * Remembers refused logins per device for "why is it offline", coalesced: refusals gather in
 * memory (one entry per device, however many attempts) and are written every `intervalMs` in
 * one statement. At most `maxDevices` devices wait between writes; refusals of further devices
 * in the same interval are counted in `dropped` and not remembered (an attack on many names at
 * once is the source lock-out's business, gateway/auth-failures.ts, not the history's).
 */
export class LoginRefusals {
  private waiting = new Map<string, Waiting>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  dropped = 0;

  constructor(
    private readonly write: Write,
    private readonly logger: Logger,
    private readonly intervalMs = 1_000,
    private readonly maxDevices = 10_000,
  ) {}

  refused(key: DeviceKey, code: string): void {
    const id = `${key.tenantId}\u0000${key.deviceId}`;
    const at = new Date().toISOString();
    const entry = this.waiting.get(id);
    if (entry) {
      entry.count++;
      entry.lastAt = at;
      entry.lastCode = code;
    } else if (this.waiting.size < this.maxDevices) {
      this.waiting.set(id, { key, count: 1, firstAt: at, lastAt: at, lastCode: code });
    } else {
      this.dropped++;
    }
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs);
  }

  /** Writes what waits now (and waits for writes in progress): at shutdown, and for tests. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = [...this.waiting.values()].map(({ key, ...r }) => ({
      tenantId: key.tenantId,
      deviceId: key.deviceId,
      ...r,
    }));
    this.waiting = new Map();
    const previous = this.writing;
    this.writing = previous.then(() =>
      batch.length === 0
        ? undefined
        : this.write(batch).catch((err: unknown) =>
            this.logger.warn({ err, devices: batch.length }, 'login refusals not recorded'),
          ),
    );
    await this.writing;
  }
}
