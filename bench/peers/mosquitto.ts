/**
 * Mosquitto from Debian (`apt-get install -y mosquitto` when it is missing), started with a
 * generated configuration on free ports: a TCP listener and, beside it, a WebSocket listener
 * (Mosquitto serves WebSocket only alongside TCP), anonymous clients, no persistence.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from '../../deploy/embedded/child-process';
import type { Peer } from './peer';

const BIN = '/usr/sbin/mosquitto';

export function ensureMosquitto(): string {
  if (existsSync(BIN)) return BIN;
  const r = spawnSync('apt-get', ['install', '-y', 'mosquitto'], { stdio: 'ignore' });
  if (r.status !== 0 || !existsSync(BIN))
    throw new Error('mosquitto is missing and apt-get install -y mosquitto failed');
  return BIN;
}

export async function start(): Promise<Peer> {
  const bin = ensureMosquitto();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'doppel-mosquitto-'));
  const tcp = await freePort();
  const ws = await freePort();
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      'per_listener_settings false',
      'allow_anonymous true',
      'persistence false',
      'max_queued_messages 100000',
      `listener ${tcp} 127.0.0.1`,
      `listener ${ws} 127.0.0.1`,
      'protocol websockets',
      '',
    ].join('\n'),
  );
  const child = spawn(bin, ['-c', conf], { stdio: 'ignore' });
  await waitForPort('127.0.0.1', tcp, { timeoutMs: 10_000, child, what: 'mosquitto' });
  await waitForPort('127.0.0.1', ws, { timeoutMs: 10_000, child, what: 'mosquitto (ws)' });
  return {
    url: `mqtt://127.0.0.1:${tcp}`,
    urls: { ws: `ws://127.0.0.1:${ws}/mqtt` },
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
