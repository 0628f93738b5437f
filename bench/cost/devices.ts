/**
 * Native JSON devices over real WebSockets (the `ws` client) for the cost benchmark: they say
 * hello, send reports and telemetry and wait for each ack, and take firmware updates as the
 * rollout section's devices do (accept, reboot, come back announcing the new version).
 */
import WebSocket from 'ws';

interface Waiter {
  match(m: Record<string, unknown>): boolean;
  resolve(m: Record<string, unknown>): void;
  reject(e: Error): void;
}

const WAIT_MS = 60_000;

export class CostDevice {
  private ws: WebSocket | null = null;
  private seq = 0;
  private waiters: Waiter[] = [];
  /** Firmware updates taken. */
  updated = 0;

  constructor(
    private readonly url: string,
    readonly tenantId: string,
    readonly deviceId: string,
    private readonly token: string,
    public firmware: string,
    /** Take `update-firmware` commands (reboot after this many ms). */
    private readonly rebootAfterMs?: number,
  ) {}

  /** Opens a session: hello (announcing the firmware) until welcome. */
  async connect(): Promise<void> {
    const ws = new WebSocket(this.url, { perMessageDeflate: false });
    this.ws = ws;
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('error', () => {});
    ws.on('message', (data) => this.received(JSON.parse(data.toString())));
    ws.on('close', () => {
      if (this.ws !== ws) return;
      for (const w of this.waiters.splice(0)) w.reject(new Error(`${this.deviceId}: closed`));
    });
    this.seq = 1;
    const welcome = this.expect((m) => m.type === 'welcome' || (m.type === 'error' && m.seq === 1));
    this.send({
      type: 'hello',
      seq: 1,
      tenant: this.tenantId,
      device: this.deviceId,
      token: this.token,
      firmware: this.firmware,
    });
    const answer = await welcome;
    if (answer.type !== 'welcome') throw new Error(`hello refused: ${JSON.stringify(answer)}`);
  }

  /** A report of reported state; resolves on its ack (the gateway committed it). */
  async report(state: Record<string, unknown>): Promise<void> {
    await this.acked({ type: 'report', state });
  }

  /** One telemetry sample; resolves on its ack. */
  async telemetry(values: Record<string, number>): Promise<void> {
    await this.acked({ type: 'telemetry', samples: [{ at: new Date().toISOString(), values }] });
  }

  /** Ends the session (a clean close, as a device switching off). */
  async close(): Promise<void> {
    const ws = this.ws;
    this.ws = null;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    ws.close(1000, 'bye');
    await closed;
  }

  private async acked(message: Record<string, unknown>): Promise<void> {
    const seq = ++this.seq;
    const answer = this.expect((m) => (m.type === 'ack' || m.type === 'error') && m.seq === seq);
    this.send({ ...message, seq });
    const m = await answer;
    if (m.type !== 'ack') throw new Error(`${this.deviceId}: ${JSON.stringify(m)}`);
  }

  private send(message: Record<string, unknown>): void {
    this.ws!.send(JSON.stringify(message));
  }

  private expect(match: Waiter['match']): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${this.deviceId}: no answer within ${WAIT_MS} ms`));
      }, WAIT_MS);
      const waiter: Waiter = {
        match,
        resolve: (m) => (clearTimeout(timer), resolve(m)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
      this.waiters.push(waiter);
    });
  }

  private received(m: Record<string, unknown>): void {
    const waiter = this.waiters.find((w) => w.match(m));
    if (waiter) {
      this.waiters = this.waiters.filter((w) => w !== waiter);
      waiter.resolve(m);
    }
    if (m.type === 'command' && m.name === 'update-firmware' && this.rebootAfterMs !== undefined) {
      this.send({ type: 'command-result', seq: ++this.seq, id: m.id, status: 'accepted' });
      const version = (m.params as { version?: string } | undefined)?.version;
      setTimeout(() => {
        void (async () => {
          await this.close();
          if (version) this.firmware = version;
          this.updated++;
          // Back with the new version; a refused reconnect is retried.
          for (let attempt = 0; attempt < 20; attempt++) {
            try {
              await this.connect();
              return;
            } catch {
              await new Promise((r) => setTimeout(r, 500));
            }
          }
        })();
      }, this.rebootAfterMs);
    }
  }
}

/** Runs `work` over `items` with at most `limit` at once. */
export async function inBatches<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i]!, i);
    }
  });
  await Promise.all(lanes);
}
