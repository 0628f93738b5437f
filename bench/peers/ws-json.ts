/**
 * A `ws`-based server doing the work of Doppel's native-JSON telemetry path with Doppel's own
 * modules: the same parser and zod validation (parseDeviceMessage), the same batching writer
 * (TelemetryWriter: one multi-row INSERT per batch, one batch in flight) into the same
 * PostgreSQL table (insertTelemetry), and the ack after COMMIT. `hello` is answered at once
 * (no token check, no twin): connection setup is not what this peer is for.
 */
import { WebSocketServer } from 'ws';
import { createDatabase } from '../../db/client';
import { insertTelemetry } from '../../db/telemetry-store';
import { parseDeviceMessage } from '../../gateway/json/parse-device-message';
import { TelemetryWriter } from '../../gateway/telemetry-writer';
import type { Peer } from './peer';

export async function start(opts: { databaseUrl: string }): Promise<Peer> {
  const database = createDatabase(opts.databaseUrl);
  const writer = new TelemetryWriter(async (rows) => void (await insertTelemetry(database, rows)));
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/device' });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws) => {
    let key: { tenantId: string; deviceId: string } | null = null;
    ws.on('message', (data: Buffer, isBinary) => {
      const parsed = parseDeviceMessage(data as unknown as ArrayBuffer, isBinary);
      if (!parsed.ok) return ws.send(JSON.stringify(parsed.error));
      const msg = parsed.message;
      if (msg.type === 'hello') {
        key = { tenantId: msg.tenant, deviceId: msg.device };
        return ws.send(JSON.stringify({ type: 'welcome', seq: msg.seq, session: 'peer' }));
      }
      if (msg.type !== 'telemetry' || !key) return;
      const k = key;
      const rows = msg.samples.map((s) => ({
        tenantId: k.tenantId,
        deviceId: k.deviceId,
        at: s.at,
        values: s.values as Record<string, unknown>,
        channel: '',
      }));
      writer.write(rows).then(
        () => ws.send(JSON.stringify({ type: 'ack', seq: msg.seq })),
        () => ws.send(JSON.stringify({ type: 'error', seq: msg.seq, code: 'db', message: 'x' })),
      );
    });
  });
  const port = (wss.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}/device`,
    async stop() {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
      await writer.drained();
      await database.close();
    },
  };
}
