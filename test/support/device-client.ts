import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { graphql } from './graphql';

/** A device speaking the native JSON protocol over a real WebSocket, for tests. */
export class TestDevice {
  readonly received: Array<Record<string, unknown>> = [];
  closeCode: number | null = null;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()) as Record<string, unknown>);
      this.wake();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
  }

  static async connect(url: string): Promise<TestDevice> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new TestDevice(ws);
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Waits for the first received message matching `predicate`. */
  async next(
    predicate: (m: Record<string, unknown>) => boolean,
    timeoutMs = 10_000,
  ): Promise<Record<string, unknown>> {
    return this.until(() => this.received.find(predicate), timeoutMs, 'message');
  }

  /** The close code; generous by default, since a loaded suite delays the twin's close effect. */
  async closed(timeoutMs = 30_000): Promise<number> {
    return this.until(() => this.closeCode ?? undefined, timeoutMs, 'close');
  }

  /** Sends one telemetry sample; answers the gateway's reply to it (an ack, or an error). */
  async telemetry(
    seq: number,
    at: Date,
    values: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    this.send({ type: 'telemetry', seq, samples: [{ at: at.toISOString(), values }] });
    return this.next((m) => m.seq === seq);
  }

  close(): void {
    this.ws.close();
  }

  private async until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(
          `no ${what} within ${timeoutMs} ms; received ${JSON.stringify(this.received)}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }
}

/**
 * Registers a device through the API (with a model, when given) and connects it through the
 * gateway with the token it got: a device past `welcome`, ready to send.
 */
export async function connectRegistered(
  urls: { apiUrl: string; gatewayUrl: string },
  tenantId: string,
  deviceId: string,
  model?: string,
): Promise<TestDevice> {
  const reg = await graphql(
    urls.apiUrl,
    `
      mutation ($i: RegisterDeviceInput!) {
        registerDevice(input: $i) {
          token
        }
      }
    `,
    { i: { tenantId, deviceId, ...(model ? { model } : {}) } },
  );
  const device = await TestDevice.connect(urls.gatewayUrl);
  device.send({
    type: 'hello',
    seq: 1,
    tenant: tenantId,
    device: deviceId,
    token: reg.data.registerDevice.token,
  });
  await device.next((m) => m.type === 'welcome');
  return device;
}

/** A device profile of twins/profiles/examples (`acme-meter-em3`, …), as a document to put. */
export function exampleProfile(name: string): Record<string, any> {
  return JSON.parse(
    readFileSync(new URL(`../../twins/profiles/examples/${name}.json`, import.meta.url), 'utf8'),
  );
}
