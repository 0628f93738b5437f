// A child process of bench/connections: holds up to ~18,000 native JSON device connections
// (the open-file limit is 20,000 per process) from a few 127.0.x.y source addresses, and puts
// each back when it drops, as a device would: at once, then with jittered back-off while
// refused (no sooner than the gateway's Retry-After). Driven over IPC by the parent (see ./fleet.ts).
import WebSocket from 'ws';

export interface OpenCommand {
  type: 'open';
  url: string;
  tenantId: string;
  deviceIds: string[];
  secret: string;
  /** Source addresses; a device always connects from the same one (its index modulo). */
  localAddresses: string[];
  /** New connections per second from this process. */
  ratePerSecond: number;
  /** The version devices say they run in their hello (none when left out). */
  firmware?: string;
  /**
   * Devices take firmware updates as real ones do: accept `update-firmware`, download for
   * this long on the old version, then reboot (reconnect) into the new one.
   */
  rebootAfterMs?: number;
}

/** Every device with a session sends one report `{ mark: value }` and counts its ack. */
export interface ReportCommand {
  type: 'report';
  value: string;
}

export type ParentMessage = OpenCommand | ReportCommand | { type: 'stats' } | { type: 'close' };
export type ChildMessage = {
  type: 'stats';
  welcomed: number;
  attempts: number;
  refused: number;
  /** Firmware updates taken (rebooted into the new version). */
  updated: number;
  /** Reports acknowledged (ReportCommand). */
  acked: number;
};

let welcomed = 0;
let attempts = 0;
let refused = 0;
let updated = 0;
let acked = 0;
/** The live session of each device (for ReportCommand): its last seq, the report's seq. */
const live = new Map<WebSocket, { seq: number; reportSeq: number }>();
/** The version each device runs (changed by an update). */
const firmware = new Map<string, string>();
let closing = false;
const sockets = new Set<WebSocket>();

const sourceIndex = new Map<string, number>();
function sourceOf(cmd: OpenCommand, deviceId: string): string {
  let i = sourceIndex.get(deviceId);
  if (i === undefined) sourceIndex.set(deviceId, (i = sourceIndex.size));
  return cmd.localAddresses[i % cmd.localAddresses.length]!;
}

const HANDSHAKE_TIMEOUT_MS = 5_000;

function connect(cmd: OpenCommand, deviceId: string, failures = 0): void {
  if (closing) return;
  attempts++;
  const ws = new WebSocket(cmd.url, {
    localAddress: sourceOf(cmd, deviceId),
    perMessageDeflate: false,
    // As a device does: an attempt not answered within 5 s (its SYN dropped by a full listen
    // queue in a storm, which TCP would retry only after 1, 3, 7, 15 … s) is given up and
    // tried again with the back-off.
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
  });
  sockets.add(ws);
  let up = false;
  /** The gateway's Retry-After, when it refused the upgrade (ms). */
  let retryAfterMs = 0;
  ws.on('open', () =>
    ws.send(
      JSON.stringify({
        type: 'hello',
        seq: 1,
        tenant: cmd.tenantId,
        device: deviceId,
        token: cmd.secret,
        ...(firmware.has(deviceId) ? { firmware: firmware.get(deviceId) } : {}),
      }),
    ),
  );
  const session = { seq: 1, reportSeq: 0 };
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as {
      type: string;
      id?: string;
      seq?: number;
      name?: string;
      params?: { version?: string };
    };
    if (m.type === 'welcome' && !up) {
      up = true;
      welcomed++;
      live.set(ws, session);
    }
    if (m.type === 'ack' && m.seq !== undefined && m.seq === session.reportSeq) acked++;
    if (m.type === 'command' && m.name === 'update-firmware' && cmd.rebootAfterMs !== undefined) {
      ws.send(
        JSON.stringify({
          type: 'command-result',
          seq: ++session.seq,
          id: m.id,
          status: 'accepted',
        }),
      );
      const version = m.params?.version;
      setTimeout(() => {
        if (version) firmware.set(deviceId, version);
        updated++;
        ws.close(1000, 'rebooting');
      }, cmd.rebootAfterMs);
    }
  });
  ws.on('unexpected-response', (_req, res) => {
    refused++;
    retryAfterMs = Number(res.headers['retry-after'] ?? 0) * 1000;
    res.resume();
    ws.terminate();
  });
  ws.on('error', () => {});
  ws.on('close', () => {
    sockets.delete(ws);
    live.delete(ws);
    if (up) welcomed--;
    if (closing) return;
    // Back at once after a session ended; jittered exponential back-off while refused.
    const next = up ? 0 : failures + 1;
    const backOff = Math.min(5_000, 250 * 2 ** (next - 1));
    const delay = next === 0 ? 0 : retryAfterMs + backOff * Math.random();
    setTimeout(() => connect(cmd, deviceId, next), delay);
  });
}

process.on('message', (msg: ParentMessage) => {
  if (msg.type === 'open') {
    if (msg.firmware) for (const id of msg.deviceIds) firmware.set(id, msg.firmware);
    const perTick = Math.max(1, Math.round(msg.ratePerSecond / 100));
    let i = 0;
    const timer = setInterval(() => {
      for (let n = 0; n < perTick && i < msg.deviceIds.length; n++)
        connect(msg, msg.deviceIds[i++]!);
      if (i >= msg.deviceIds.length) clearInterval(timer);
    }, 10);
  } else if (msg.type === 'report') {
    for (const [ws, session] of live) {
      const seq = ++session.seq;
      session.reportSeq = seq;
      ws.send(JSON.stringify({ type: 'report', seq, state: { mark: msg.value } }));
    }
  } else if (msg.type === 'stats') {
    const reply: ChildMessage = { type: 'stats', welcomed, attempts, refused, updated, acked };
    process.send!(reply);
  } else if (msg.type === 'close') {
    closing = true;
    for (const ws of sockets) ws.terminate();
    setTimeout(() => process.exit(0), 100);
  }
});
