import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, OpenCommand } from './clients';

/** At most this many sockets per client process (open-file limit 20,000 per process). */
const PER_PROCESS = 15_000;
/**
 * At most this many devices per source address. A socket bound to a source address (Node
 * binds before it connects) takes an ephemeral port of that address whatever the gateway, and
 * the kernel searches the address's ~28,000 ports for a free one on every bind: with 15,000
 * held and a storm's refused attempts in TIME_WAIT, that search made the client processes
 * spend three quarters of the machine in the kernel. A few thousand per address keep it short.
 */
const PER_SOURCE = 2_500;

/**
 * Every client process of every fleet gets source addresses of its own (see PER_SOURCE).
 */
let nextSource = 0;
const sourceAddress = () => {
  const n = nextSource++;
  return `127.0.${2 + Math.floor(n / 250)}.${1 + (n % 250)}`;
};

/**
 * Many native JSON device connections held by child processes (./clients.ts), each on its own
 * 127.0.x.y source address so no source runs out of ephemeral ports. Devices reconnect by
 * themselves when dropped; `welcomed()` counts the ones with a live session now.
 */
export class ClientFleet {
  private constructor(private readonly children: ChildProcess[]) {}

  static async open(opts: {
    url: string;
    tenantId: string;
    deviceIds: string[];
    secret: string;
    /** Total new connections per second, split over the processes. */
    ratePerSecond: number;
    /**
     * At least this many client processes (each its own source address). A fleet that
     * reconnects all at once wants several: one source address churning thousands of
     * connections spends its time in the kernel finding a free ephemeral port.
     */
    minProcesses?: number;
    firmware?: string;
    /** Devices take firmware updates, rebooting after this long (see ./clients.ts). */
    rebootAfterMs?: number;
  }): Promise<ClientFleet> {
    const processes = Math.max(
      opts.minProcesses ?? 1,
      Math.ceil(opts.deviceIds.length / PER_PROCESS),
    );
    const children: ChildProcess[] = [];
    for (let p = 0; p < processes; p++) {
      const child = fork(fileURLToPath(new URL('./clients.ts', import.meta.url)), [], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const command: OpenCommand = {
        type: 'open',
        url: opts.url,
        tenantId: opts.tenantId,
        deviceIds: opts.deviceIds.filter((_, i) => i % processes === p),
        secret: opts.secret,
        localAddresses: Array.from(
          { length: Math.max(1, Math.ceil(opts.deviceIds.length / processes / PER_SOURCE)) },
          sourceAddress,
        ),
        ratePerSecond: opts.ratePerSecond / processes,
        ...(opts.firmware ? { firmware: opts.firmware } : {}),
        ...(opts.rebootAfterMs !== undefined ? { rebootAfterMs: opts.rebootAfterMs } : {}),
      };
      child.send(command);
      children.push(child);
    }
    return new ClientFleet(children);
  }

  /** Sessions up now, connection attempts so far, attempts refused (HTTP 503 …). */
  async stats(): Promise<{
    welcomed: number;
    attempts: number;
    refused: number;
    updated: number;
    acked: number;
  }> {
    const all = await Promise.all(
      this.children.map(
        (child) =>
          new Promise<ChildMessage>((resolve) => {
            child.once('message', (m: ChildMessage) => resolve(m));
            child.send({ type: 'stats' });
          }),
      ),
    );
    return {
      welcomed: all.reduce((n, s) => n + s.welcomed, 0),
      attempts: all.reduce((n, s) => n + s.attempts, 0),
      refused: all.reduce((n, s) => n + s.refused, 0),
      updated: all.reduce((n, s) => n + s.updated, 0),
      acked: all.reduce((n, s) => n + s.acked, 0),
    };
  }

  /** Every device with a session sends one report `{ mark: value }` (acks: `stats().acked`). */
  report(value: string): void {
    for (const child of this.children) child.send({ type: 'report', value });
  }

  /** Resolves with the time (ms) until `count` sessions are up; rejects after `timeoutMs`. */
  async waitForWelcomed(
    count: number,
    timeoutMs: number,
    onProgress?: (welcomed: number) => void,
  ): Promise<number> {
    const started = Date.now();
    for (;;) {
      const { welcomed } = await this.stats();
      onProgress?.(welcomed);
      if (welcomed >= count) return Date.now() - started;
      if (Date.now() - started > timeoutMs)
        throw new Error(`only ${welcomed} of ${count} devices connected within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.send({ type: 'close' });
          }),
      ),
    );
  }
}
