/**
 * A message frame encoded once (and masked once, for WebSocket) with a few fixed-width fields
 * that differ per send: a decimal number (seq, message id), a 16-bit packet id, an ISO time with
 * microseconds. Sending is a byte copy of the template plus a handful of (masked) byte writes:
 * no JSON.stringify, no packet encoder, no masking loop per message.
 */
import { MASK, headerLength, maskedFrame } from './ws-frames';

export type FieldKind = 'decimal' | 'zero-decimal' | 'u16' | 'iso-us';

export interface Field {
  kind: FieldKind;
  /** Offset in the payload. */
  at: number;
  width: number;
}

export interface Template {
  frame: Buffer;
  /** Where the payload starts in `frame`. */
  payloadStart: number;
  masked: boolean;
  fields: Field[];
}

/** Placeholder text of each kind, found in the payload to locate the field. */
export const PLACEHOLDER = {
  seq: '~~~~~~~~~~~~~~~', // 15 wide: space-padded decimal (JSON allows leading spaces)
  id: '^^^^^^^^^^^^', // 12 wide: zero-padded decimal inside a JSON string
  at: '2000-01-01T00:00:00.000000Z', // 27 wide: ISO 8601, microseconds
} as const;

const AT_MARK = 'AT@@@@@@@@@@@@@@@@@@@@@@@@@'; // 27 wide, unique in a payload

/** Substitutes placeholders and records where they are. Payload text is ASCII here. */
export function textTemplate(text: string, framing: { ws: boolean; opcode: number }): Template {
  const fields: Field[] = [];
  const find = (mark: string, kind: FieldKind) => {
    const at = text.indexOf(mark);
    if (at >= 0) fields.push({ kind, at, width: mark.length });
  };
  const marked = text.replaceAll(PLACEHOLDER.at, AT_MARK);
  find(PLACEHOLDER.seq, 'decimal');
  find(PLACEHOLDER.id, 'zero-decimal');
  const atPos = marked.indexOf(AT_MARK);
  if (atPos >= 0) fields.push({ kind: 'iso-us', at: atPos, width: AT_MARK.length });
  const initial = text
    .replace(PLACEHOLDER.seq, ' '.repeat(14) + '1')
    .replace(PLACEHOLDER.id, '0'.repeat(12));
  return binaryTemplate(Buffer.from(initial, 'latin1'), fields, framing);
}

/** A payload (already encoded, e.g. by mqtt-packet) with its fields, framed for the transport. */
export function binaryTemplate(
  payload: Buffer,
  fields: Field[],
  framing: { ws: boolean; opcode: number },
): Template {
  if (!framing.ws) return { frame: Buffer.from(payload), payloadStart: 0, masked: false, fields };
  return {
    frame: maskedFrame(payload, framing.opcode),
    payloadStart: headerLength(payload.length),
    masked: true,
    fields,
  };
}

let lastMs = -1;
let lastIso = '';

/**
 * Copies the template into `out` at `pos` and fills its fields: decimal fields get `n`, u16
 * fields get `id16`, time fields get `atUs` (µs since the epoch). Returns the next position.
 */
export function writeFrame(
  t: Template,
  out: Buffer,
  pos: number,
  n: number,
  id16: number,
  atUs: number,
): number {
  t.frame.copy(out, pos);
  const base = pos + t.payloadStart;
  for (const f of t.fields) {
    if (f.kind === 'u16') {
      put(t, out, base, f.at, id16 >> 8);
      put(t, out, base, f.at + 1, id16 & 0xff);
    } else if (f.kind === 'iso-us') {
      const ms = Math.floor(atUs / 1000);
      if (ms !== lastMs) {
        lastMs = ms;
        lastIso = new Date(ms).toISOString(); // 2026-01-01T00:00:00.000Z
      }
      for (let i = 0; i < 23; i++) put(t, out, base, f.at + i, lastIso.charCodeAt(i));
      let us = Math.floor(atUs - ms * 1000);
      for (let i = 25; i >= 23; i--) {
        put(t, out, base, f.at + i, 48 + (us % 10));
        us = Math.floor(us / 10);
      }
      put(t, out, base, f.at + 26, 90); // Z
    } else {
      let v = n;
      const pad = f.kind === 'decimal' ? 32 : 48;
      for (let i = f.width - 1; i >= 0; i--) {
        put(t, out, base, f.at + i, v > 0 || i === f.width - 1 ? 48 + (v % 10) : pad);
        v = Math.floor(v / 10);
      }
    }
  }
  return pos + t.frame.length;
}

function put(t: Template, out: Buffer, base: number, at: number, byte: number): void {
  out[base + at] = t.masked ? byte ^ MASK[at & 3]! : byte;
}
