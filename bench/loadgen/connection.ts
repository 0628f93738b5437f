/**
 * One load-generator connection on a raw `net` socket: the WebSocket upgrade done by hand (or
 * none, for MQTT over TCP), the protocol's login, then messages copied from a pre-built
 * template. It remembers when each message in flight was meant to be sent (ring of times by
 * message id) and reports each ack with that time.
 */
import net from 'node:net';
import { clientProtocol, type ClientProtocol, type Device, type Target } from './protocols';
import { writeFrame } from './template';
import {
  FrameReader,
  MASK,
  OP_BINARY,
  OP_CLOSE,
  OP_PING,
  OP_PONG,
  OP_TEXT,
  upgradeRequest,
} from './ws-frames';

/** Messages in flight per connection at most (ring of send times); a power of two ≤ 32768. */
export const RING = 1024;

export interface ConnectionHooks {
  /** An ack: `intendedMs` is when the message was meant to go out (performance.now()). */
  ack(conn: LoadConnection, intendedMs: number): void;
  error(conn: LoadConnection): void;
}

/** Wall-clock microseconds for a performance.now() time (the time carried in the samples). */
export const wallUs = (perfMs: number) => Math.round((performance.timeOrigin + perfMs) * 1000);

export class LoadConnection {
  readonly proto: ClientProtocol;
  private socket: net.Socket | null = null;
  private readonly intended = new Float64Array(RING);
  /** Next message number (JSON seq starts after hello's 1). */
  private next = 2;
  private lastAtUs = 0;
  inFlight = 0;
  /** Open loop: intended times of messages due but held back because the window is full. */
  private backlog: number[] = [];
  private backlogHead = 0;
  /** Messages to write at the next flush, with their intended times. */
  private queued: number[] = [];
  closed = false;

  constructor(
    readonly target: Target,
    readonly device: Device,
    public window: number,
    private readonly hooks: ConnectionHooks,
  ) {
    this.proto = clientProtocol(target, device);
  }

  /** Connects, upgrades (WebSocket targets) and logs in. */
  open(localAddress: string, timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        this.close();
        reject(new Error(`${this.device.device}: ${why}`));
      };
      const timer = setTimeout(() => fail('login timed out'), timeoutMs);
      let loggedIn = false;
      const emit = (e: { kind: string; id?: number }) => {
        if (e.kind === 'ack') this.onAck(e.id!);
        else if (e.kind === 'login' && !loggedIn) {
          loggedIn = true;
          clearTimeout(timer);
          resolve();
        } else if (e.kind === 'error') {
          if (!loggedIn) fail('login refused');
          else this.hooks.error(this);
        }
      };
      const socket = net.connect({
        host: this.target.host,
        port: this.target.port,
        localAddress,
        noDelay: true,
      });
      this.socket = socket;
      socket.on('error', (err) => (loggedIn ? this.close() : fail(err.message)));
      socket.on('close', () => {
        this.closed = true;
        if (!loggedIn) fail('closed before login');
      });
      const reader = new FrameReader((op, payload) => {
        if (op === OP_TEXT || op === OP_BINARY || op === 0) this.proto.read(payload, emit);
        else if (op === OP_PING) this.control(OP_PONG, payload);
        else if (op === OP_CLOSE) this.close();
      });
      if (this.target.transport === 'tcp') {
        socket.on('connect', () => socket.write(this.proto.login));
        socket.on('data', (chunk: Buffer) => {
          this.proto.read(chunk, emit);
          this.flush();
        });
        return;
      }
      let head: Buffer | null = Buffer.alloc(0);
      socket.on('connect', () =>
        socket.write(
          upgradeRequest({
            host: `${this.target.host}:${this.target.port}`,
            path: this.target.path
              .replace('{tenant}', encodeURIComponent(this.device.tenant))
              .replace('{device}', encodeURIComponent(this.device.device)),
            protocol: this.proto.wsProtocol,
            authorization: this.proto.authorization,
          }),
        ),
      );
      socket.on('data', (chunk: Buffer) => {
        if (head) {
          head = Buffer.concat([head, chunk]);
          const end = head.indexOf('\r\n\r\n');
          if (end < 0) return;
          const status = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
          if (!/^HTTP\/1\.1 101/.test(status)) return fail(`upgrade refused: ${status}`);
          const rest = head.subarray(end + 4);
          head = null;
          socket.write(this.proto.login);
          if (rest.length > 0) reader.push(rest);
          return;
        }
        reader.push(chunk);
        this.flush(); // one write for every ack this chunk carried
      });
    });
  }

  /** Queues one message meant to go out at `intendedMs`; written at the next flush. */
  send(intendedMs: number): void {
    if (this.inFlight + this.queued.length >= this.window) {
      this.backlog.push(intendedMs);
      return;
    }
    this.queued.push(intendedMs);
  }

  /** Closed loop: fills the window. */
  fill(nowMs: number): void {
    while (this.inFlight + this.queued.length < this.window) this.queued.push(nowMs);
  }

  /** Writes everything queued in one socket write. */
  flush(): void {
    const q = this.queued;
    if (q.length === 0 || this.closed || !this.socket) return;
    const t = this.proto.template;
    const out = Buffer.allocUnsafe(t.frame.length * q.length);
    let pos = 0;
    for (const intendedMs of q) {
      const n = this.next++;
      const id = this.proto.idOf(n);
      this.intended[id & (RING - 1)] = intendedMs;
      // Samples carry the intended send time (µs), unique per device: the device-to-COMMIT origin.
      let at = wallUs(intendedMs);
      if (at <= this.lastAtUs) at = this.lastAtUs + 1;
      this.lastAtUs = at;
      pos = writeFrame(t, out, pos, n, id, at);
    }
    this.inFlight += q.length;
    this.queued = [];
    this.socket.write(out);
  }

  /** Stops sending; the closed-loop refill and the open-loop backlog end here. */
  drop(): void {
    this.backlog = [];
    this.backlogHead = 0;
    this.queued = [];
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.socket && this.target.transport === 'ws' && this.socket.writable) {
      this.control(OP_CLOSE, Buffer.from([0x03, 0xe8]));
      this.socket.end();
    } else this.socket?.end();
    this.socket?.destroySoon?.();
  }

  /** Refill for the closed loop; set by the runner while a run lasts. */
  refill: ((conn: LoadConnection) => void) | null = null;

  private onAck(id: number): void {
    const intendedMs = this.intended[id & (RING - 1)]!;
    this.inFlight--;
    this.hooks.ack(this, intendedMs);
    if (this.backlogHead < this.backlog.length) {
      this.queued.push(this.backlog[this.backlogHead++]!);
      if (this.backlogHead > 4096) {
        this.backlog = this.backlog.slice(this.backlogHead);
        this.backlogHead = 0;
      }
    } else this.refill?.(this);
  }

  private control(op: number, payload: Buffer): void {
    if (!this.socket || this.target.transport !== 'ws') return;
    const frame = Buffer.allocUnsafe(6 + payload.length);
    frame[0] = 0x80 | op;
    frame[1] = 0x80 | payload.length;
    MASK.copy(frame, 2);
    for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ MASK[i & 3]!;
    this.socket.write(frame);
  }
}
