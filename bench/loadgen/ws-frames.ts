/**
 * The client side of RFC 6455, as little of it as a load generator needs: the upgrade request,
 * client frames built once with a fixed mask (so a frame is a plain byte copy at send time),
 * and a reader for the server's unmasked frames that hands out payload slices.
 */
import { randomBytes } from 'node:crypto';

/** The fixed masking key of every frame this generator writes (RFC 6455 allows any key). */
export const MASK = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

/** The HTTP upgrade request of a WebSocket client. */
export function upgradeRequest(opts: {
  host: string;
  path: string;
  protocol?: string | undefined;
  authorization?: string | undefined;
}): Buffer {
  const lines = [
    `GET ${opts.path} HTTP/1.1`,
    `Host: ${opts.host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
  ];
  if (opts.protocol) lines.push(`Sec-WebSocket-Protocol: ${opts.protocol}`);
  if (opts.authorization) lines.push(`Authorization: ${opts.authorization}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** Length of a client frame's header (masked) for a payload of `n` bytes. */
export function headerLength(n: number): number {
  return (n < 126 ? 2 : n < 65_536 ? 4 : 10) + 4;
}

/**
 * One complete client frame (FIN set), masked with MASK. The payload starts at
 * `headerLength(payload.length)`; payload byte i is stored as `payload[i] ^ MASK[i & 3]`, so a
 * byte may be patched later with `patchMasked`.
 */
export function maskedFrame(payload: Uint8Array, opcode: number): Buffer {
  const n = payload.length;
  const head = headerLength(n);
  const frame = Buffer.allocUnsafe(head + n);
  frame[0] = 0x80 | opcode;
  if (n < 126) frame[1] = 0x80 | n;
  else if (n < 65_536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(n), 2);
  }
  MASK.copy(frame, head - 4);
  for (let i = 0; i < n; i++) frame[head + i] = payload[i]! ^ MASK[i & 3]!;
  return frame;
}

/** Writes `byte` at payload offset `at` of a masked frame whose payload starts at `payloadStart`. */
export function patchMasked(frame: Buffer, payloadStart: number, at: number, byte: number): void {
  frame[payloadStart + at] = byte ^ MASK[at & 3]!;
}

/**
 * Reads server frames (never masked) from a byte stream. Fragmented messages are not expected
 * from the servers measured here; a continuation frame is handed out as its own payload.
 */
export class FrameReader {
  private pending: Buffer | null = null;

  constructor(private readonly onFrame: (opcode: number, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    let buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let pos = 0;
    for (;;) {
      if (buf.length - pos < 2) break;
      const b1 = buf[pos + 1]!;
      let len = b1 & 0x7f;
      let head = 2;
      if (len === 126) {
        if (buf.length - pos < 4) break;
        len = buf.readUInt16BE(pos + 2);
        head = 4;
      } else if (len === 127) {
        if (buf.length - pos < 10) break;
        len = Number(buf.readBigUInt64BE(pos + 2));
        head = 10;
      }
      if (b1 & 0x80) head += 4; // a masked server frame is a protocol error; skip its key
      if (buf.length - pos < head + len) break;
      this.onFrame(buf[pos]! & 0x0f, buf.subarray(pos + head, pos + head + len));
      pos += head + len;
    }
    if (pos < buf.length) this.pending = Buffer.from(buf.subarray(pos));
    buf = Buffer.alloc(0);
  }
}
