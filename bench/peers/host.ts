/**
 * Runs one server (a peer, or Doppel's gateway) in its own process, so that each is measured
 * the same way (/proc/<pid>/stat) and none shares an event loop with the benchmark. Started by
 * `spawnServer`; answers over IPC: its URLs, then CPU profiles on request, then stops.
 */
import { Session } from 'node:inspector/promises';
import type { Peer } from './peer';

export type HostCommand = { cmd: 'profile-start' } | { cmd: 'profile-stop' } | { cmd: 'stop' };
export type HostReply =
  | { type: 'started'; url: string; urls?: Record<string, string> }
  | { type: 'profile'; profile: unknown }
  | { type: 'stopped' }
  | { type: 'failed'; error: string };

const starters: Record<string, (opts: any) => Promise<Peer>> = {
  'doppel-gateway': async (o) => (await import('./doppel-gateway')).start(o),
  'ws-json': async (o) => (await import('./ws-json')).start(o),
  'uws-echo': async () => (await import('./uws-echo')).start(),
  aedes: async () => (await import('./aedes')).start(),
  'ocpp-rpc': async () => (await import('./ocpp-rpc')).start(),
};

const reply = (m: HostReply) => process.send!(m);

async function main() {
  const [name, json] = process.argv.slice(2);
  const starter = starters[name ?? ''];
  if (!starter) throw new Error(`unknown server ${name}`);
  const peer = await starter(JSON.parse(json ?? '{}'));
  const session = new Session();
  session.connect();
  process.on('message', (m: HostCommand) => {
    void (async () => {
      if (m.cmd === 'profile-start') {
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 500 });
        await session.post('Profiler.start');
      } else if (m.cmd === 'profile-stop') {
        const { profile } = await session.post('Profiler.stop');
        reply({ type: 'profile', profile });
      } else if (m.cmd === 'stop') {
        await peer.stop();
        reply({ type: 'stopped' });
        process.exit(0);
      }
    })().catch((err: unknown) => reply({ type: 'failed', error: String(err) }));
  });
  reply({ type: 'started', url: peer.url, ...(peer.urls ? { urls: peer.urls } : {}) });
}

main().catch((err: unknown) => {
  reply({ type: 'failed', error: String(err) });
  process.exit(1);
});
