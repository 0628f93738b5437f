/**
 * Starts a server in its own process (bench/peers/host.ts) and gives back its URLs, its pid
 * (for /proc CPU accounting), a CPU profiler switch and stop().
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HostCommand, HostReply } from './host';

export interface SpawnedServer {
  url: string;
  urls: Record<string, string>;
  pid: number;
  profileStart(): void;
  /** The V8 CPU profile (Profiler.stop) since profileStart(). */
  profileStop(): Promise<unknown>;
  stop(): Promise<void>;
}

export async function spawnServer(name: string, opts: object = {}): Promise<SpawnedServer> {
  const script = fileURLToPath(new URL('./host.ts', import.meta.url));
  const child = fork(script, [name, JSON.stringify(opts)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting: Array<(m: HostReply) => void> = [];
  child.on('message', (m: HostReply) => waiting.shift()?.(m));
  const next = () =>
    new Promise<HostReply>((resolve, reject) => {
      waiting.push(resolve);
      child.once('exit', (code) => reject(new Error(`server ${name} exited (${code})`)));
    });
  const first = await next();
  if (first.type !== 'started')
    throw new Error(`server ${name} did not start: ${JSON.stringify(first)}`);
  const send = (m: HostCommand) => child.send(m);
  return {
    url: first.url,
    urls: first.urls ?? {},
    pid: child.pid!,
    profileStart: () => send({ cmd: 'profile-start' }),
    async profileStop() {
      const answer = next();
      send({ cmd: 'profile-stop' });
      const m = await answer;
      if (m.type !== 'profile') throw new Error(`no profile from ${name}`);
      return m.profile;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      send({ cmd: 'stop' });
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(kill);
    },
  };
}
