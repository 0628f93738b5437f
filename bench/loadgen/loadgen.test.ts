/**
 * Cross-checks the load generator's hand-made frames against independent implementations at
 * a low rate: MQTT PUBLISHes through aedes reach an MQTT.js subscriber intact, OCPP Heartbeats
 * pass ocpp-rpc's strict schema validation, native JSON telemetry passes Doppel's own parser.
 * Behaviour only (acks, no errors, payloads), never timings.
 */
import type { AddressInfo } from 'node:net';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { parseDeviceMessage } from '../../gateway/json/parse-device-message';
import { start as startAedes } from '../peers/aedes';
import { start as startOcppRpc } from '../peers/ocpp-rpc';
import type { Peer } from '../peers/peer';
import { LoadGenerator } from './load-generator';
import type { Device, Target } from './protocols';

const devices: Device[] = [0, 1].map((i) => ({ tenant: 'acme', device: `dev-${i}`, token: 't0k' }));
const target = (url: string, protocol: Target['protocol'], path?: string): Target => {
  const u = new URL(url);
  return {
    protocol,
    host: u.hostname,
    port: Number(u.port),
    transport: u.protocol === 'mqtt:' ? 'tcp' : 'ws',
    path: path ?? u.pathname,
  };
};
const run = { mode: 'closed' as const, window: 2, warmupMs: 0, durationMs: 300 };

describe('load generator', () => {
  let lg: LoadGenerator;
  beforeAll(async () => {
    lg = await LoadGenerator.start(1);
  });
  afterAll(async () => {
    await lg.stop();
  });

  it('publishes MQTT telemetry that aedes acks and an MQTT.js subscriber reads', async () => {
    const broker: Peer = await startAedes();
    const sub = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    try {
      const received: string[] = [];
      sub.on('message', (topic, payload) => received.push(`${topic} ${payload.toString()}`));
      await sub.subscribeAsync('doppel/+/+/telemetry', { qos: 0 });
      for (const url of [broker.url, broker.urls!.tcp!]) {
        const set = await lg.open(target(url, 'mqtt'), devices);
        const r = await lg.run(set, run);
        await lg.close(set);
        expect(r.errors).toBe(0);
        expect(r.acked).toBeGreaterThan(0);
      }
      await new Promise((r) => setTimeout(r, 200));
      expect(received.length).toBeGreaterThan(0);
      const [topic, body] = received[0]!.split(' ');
      expect(topic).toMatch(/^doppel\/acme\/dev-[01]\/telemetry$/);
      const sample = JSON.parse(body!).samples[0];
      expect(new Date(sample.at).toISOString().slice(0, 19)).toBe(sample.at.slice(0, 19));
      expect(sample.values.power).toBe(2300);
    } finally {
      await sub.endAsync();
      await broker.stop();
    }
  });

  it('sends OCPP 1.6 Heartbeats that pass ocpp-rpc strict validation', async () => {
    const server = await startOcppRpc();
    try {
      const set = await lg.open(target(server.url, 'ocpp', '/ocpp/{tenant}/{device}'), devices);
      const r = await lg.run(set, { ...run, window: 1 });
      await lg.close(set);
      expect(r.errors).toBe(0);
      expect(r.acked).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
  });

  it('sends native JSON telemetry that Doppel’s parser accepts, with increasing seq', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    const bad: string[] = [];
    const seqs = new Map<string, number[]>();
    wss.on('connection', (ws, req) => {
      ws.on('message', (data: Buffer, isBinary) => {
        const parsed = parseDeviceMessage(data as unknown as ArrayBuffer, isBinary);
        if (!parsed.ok) return bad.push(parsed.error.message);
        const m = parsed.message;
        if (m.type === 'hello')
          return ws.send(JSON.stringify({ type: 'welcome', seq: 1, session: 's' }));
        if (m.type !== 'telemetry') return bad.push(m.type);
        const list = seqs.get(req.socket.remotePort!.toString()) ?? [];
        list.push(m.seq);
        seqs.set(req.socket.remotePort!.toString(), list);
        ws.send(JSON.stringify({ type: 'ack', seq: m.seq }));
      });
    });
    try {
      const port = (wss.address() as AddressInfo).port;
      const set = await lg.open(target(`ws://127.0.0.1:${port}/device`, 'json'), devices);
      const r = await lg.run(set, run);
      await lg.close(set);
      expect(bad).toEqual([]);
      expect(r.errors).toBe(0);
      expect(r.acked).toBeGreaterThan(0);
      for (const list of seqs.values()) {
        expect(list[0]).toBe(2);
        expect(list.every((s, i) => i === 0 || s === list[i - 1]! + 1)).toBe(true);
      }
    } finally {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    }
  });
});
