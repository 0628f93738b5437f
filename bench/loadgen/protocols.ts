/**
 * What the load generator says in each protocol, and what it reads back: the login (JSON
 * hello, MQTT CONNECT, OCPP BootNotification), the per-message template (JSON telemetry, MQTT
 * QoS 1 PUBLISH to the telemetry topic, OCPP Heartbeat CALL) and a reader that turns server
 * bytes into "logged in", "ack of id n" or "error".
 */
import mqttPacket from 'mqtt-packet';
import { PLACEHOLDER, binaryTemplate, textTemplate, type Template } from './template';
import { OP_BINARY, OP_TEXT } from './ws-frames';

export type ProtocolName = 'json' | 'mqtt' | 'ocpp';

export interface Device {
  tenant: string;
  device: string;
  token: string;
}

/** Where a connection goes and how it is framed. */
export interface Target {
  protocol: ProtocolName;
  host: string;
  port: number;
  /** WebSocket (path and subprotocol follow from the protocol) or raw TCP (MQTT only). */
  transport: 'ws' | 'tcp';
  /** URL path for WebSocket targets; `{tenant}`, `{device}` are substituted. */
  path: string;
}

/** What a server's bytes meant. `id` is the acknowledged message number (seq, packet id, call id). */
export type Event = { kind: 'login' } | { kind: 'ack'; id: number } | { kind: 'error' };

export interface ClientProtocol {
  /** Subprotocol offered in the upgrade. */
  wsProtocol?: string;
  authorization?: string;
  /** Frames (already framed for the transport) sent right after the handshake. */
  login: Buffer;
  template: Template;
  /** The id a message numbered n carries (ack matching): JSON seq, MQTT packet id, OCPP id. */
  idOf(n: number): number;
  /** Consumes one server WebSocket message (or, for TCP, a chunk of the stream). */
  read(payload: Buffer, emit: (e: Event) => void): void;
}

const SAMPLE_VALUES = '{"power":2300,"energy_Wh":1500,"temperature":21.5}';

export function clientProtocol(target: Target, d: Device): ClientProtocol {
  const ws = target.transport === 'ws';
  if (target.protocol === 'json') {
    const hello = JSON.stringify({
      type: 'hello',
      seq: 1,
      tenant: d.tenant,
      device: d.device,
      token: d.token,
    });
    const text = `{"type":"telemetry","seq":${PLACEHOLDER.seq},"samples":[{"at":"${PLACEHOLDER.at}","values":${SAMPLE_VALUES}}]}`;
    return {
      login: textTemplate(hello, { ws, opcode: OP_TEXT }).frame,
      template: textTemplate(text, { ws, opcode: OP_TEXT }),
      idOf: (n) => n,
      read: readJson,
    };
  }
  if (target.protocol === 'ocpp') {
    const boot = JSON.stringify([
      2,
      'boot',
      'BootNotification',
      { chargePointVendor: 'Doppel', chargePointModel: 'loadgen' },
    ]);
    return {
      wsProtocol: 'ocpp1.6',
      authorization: `Basic ${Buffer.from(`${d.device}:${d.token}`).toString('base64')}`,
      login: textTemplate(boot, { ws, opcode: OP_TEXT }).frame,
      template: textTemplate(`[2,"${PLACEHOLDER.id}","Heartbeat",{}]`, { ws, opcode: OP_TEXT }),
      idOf: (n) => n,
      read: readOcpp,
    };
  }
  const id = `${d.tenant}/${d.device}`;
  const connect = mqttPacket.generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId: id,
    keepalive: 120,
    username: id,
    password: Buffer.from(d.token),
  });
  const body = Buffer.from(`{"samples":[{"at":"${PLACEHOLDER.at}","values":${SAMPLE_VALUES}}]}`);
  const publish = mqttPacket.generate({
    cmd: 'publish',
    topic: `doppel/${d.tenant}/${d.device}/telemetry`,
    payload: body,
    qos: 1,
    messageId: 1,
    dup: false,
    retain: false,
  });
  const payloadAt = publish.length - body.length;
  const atAt = payloadAt + body.indexOf(PLACEHOLDER.at);
  return {
    wsProtocol: ws ? 'mqtt' : undefined,
    login: binaryTemplate(connect, [], { ws, opcode: OP_BINARY }).frame,
    template: binaryTemplate(
      publish,
      [
        { kind: 'u16', at: payloadAt - 2, width: 2 },
        { kind: 'iso-us', at: atAt, width: PLACEHOLDER.at.length },
      ],
      { ws, opcode: OP_BINARY },
    ),
    // Packet ids 1..32768: unique among the (at most 128) publishes in flight.
    idOf: (n) => (n & 0x7fff) + 1,
    read: mqttReader(),
  };
}

const ACK_PREFIX = Buffer.from('{"type":"ack","seq":');

function readJson(p: Buffer, emit: (e: Event) => void): void {
  if (p.length > ACK_PREFIX.length && p.compare(ACK_PREFIX, 0, 20, 0, 20) === 0) {
    let n = 0;
    for (let i = 20; i < p.length; i++) {
      const c = p[i]!;
      if (c < 48 || c > 57) break;
      n = n * 10 + (c - 48);
    }
    emit({ kind: 'ack', id: n });
  } else if (p.includes('"welcome"')) emit({ kind: 'login' });
  else emit({ kind: 'error' });
}

function readOcpp(p: Buffer, emit: (e: Event) => void): void {
  // [3,"<id>",{...}] CALLRESULT; [4,...] CALLERROR; [2,...] a CALL from the server (ignored).
  let i = 1;
  while (p[i] === 32) i++;
  const type = p[i];
  if (type === 51 /* 3 */) {
    const q = p.indexOf(34, i); // opening quote of the id
    if (p[q + 1] === 98 /* b(oot) */) return emit({ kind: 'login' });
    let n = 0;
    for (let j = q + 1; j < p.length; j++) {
      const c = p[j]!;
      if (c < 48 || c > 57) break;
      n = n * 10 + (c - 48);
    }
    emit({ kind: 'ack', id: n });
  } else if (type === 52 /* 4 */) emit({ kind: 'error' });
}

/** MQTT packets may span frames or chunks: reassembles, then reads CONNACK and PUBACK. */
function mqttReader(): (p: Buffer, emit: (e: Event) => void) => void {
  let pending: Buffer | null = null;
  return (chunk, emit) => {
    const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = null;
    let pos = 0;
    while (pos < buf.length) {
      // remaining length: variable byte integer
      let len = 0;
      let mul = 1;
      let i = pos + 1;
      let complete = false;
      for (; i < buf.length && i < pos + 5; i++) {
        const b = buf[i]!;
        len += (b & 0x7f) * mul;
        mul *= 128;
        if ((b & 0x80) === 0) {
          complete = true;
          i++;
          break;
        }
      }
      if (!complete || buf.length < i + len) break;
      const type = buf[pos]! >> 4;
      if (type === 4 /* PUBACK */) emit({ kind: 'ack', id: buf.readUInt16BE(i) });
      else if (type === 2 /* CONNACK */)
        emit(buf[i + 1] === 0 ? { kind: 'login' } : { kind: 'error' });
      else if (type === 14 /* DISCONNECT */) emit({ kind: 'error' });
      pos = i + len;
    }
    if (pos < buf.length) pending = Buffer.from(buf.subarray(pos));
  };
}
