import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import WebSocket from 'ws';
import { readTopology, type ClusterTopology } from '../../deploy/cluster/topology';
import { TEST_JWT_SECRET } from './auth';
import { interrupt, profilePorts, startProfile } from './profile-start';

export interface RunningCluster {
  /** The profile's DOPPEL_DATA_DIR (its PostgreSQL cluster is in postgres/). */
  dataDir: string;
  apiUrl: string;
  gatewayUrl: string;
  temporalAddress: string;
  topology: ClusterTopology;
  /** Doppel's database in the profile's private PostgreSQL. */
  sql: postgres.Sql;
  /** The profile's own output so far (its log lines: unexpected exits, restarts). */
  output(): string;
  /** The pid of a process of the profile now (`gateway-1`, `temporal-history-2`). */
  pidOf(name: string): number;
  /** SIGKILL, as a crashed node or an OOM kill; resolves with the pid it killed. */
  kill(name: string): number;
  stop(): Promise<number | null>;
}

/**
 * `npm run start:cluster` with several nodes of every role (2 gateways and 2 APIs behind
 * HAProxy, 2 workers, 2 Temporal history processes) as an operator runs it, its state in a
 * temporary folder; the API takes the tests' JWT secret, so test credentials work.
 */
export async function startClusterNodes(env: Record<string, string> = {}): Promise<RunningCluster> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'doppel-nodes-'));
  chmodSync(dataDir, 0o755);
  const { ports, env: portsEnv } = await profilePorts();
  const started = await startProfile(
    'deploy/cluster/start.ts',
    dataDir,
    {
      ...portsEnv,
      CLUSTER_GATEWAYS: '2',
      CLUSTER_WORKERS: '2',
      CLUSTER_APIS: '2',
      TEMPORAL_HISTORY_NODES: '2',
      TEMPORAL_HISTORY_SHARDS: '8',
      API_JWT_SECRET: TEST_JWT_SECRET,
      ...env,
    },
    300_000,
  );
  if (!started.output().includes('Press Ctrl-C to stop.')) {
    await interrupt(started.child);
    throw new Error(`the cluster profile did not start:\n${started.output()}`);
  }
  const stateDir = path.join(dataDir, 'cluster');
  // The private cluster's password sits beside its data folder (deploy/embedded/postgres.ts).
  const password = readFileSync(path.join(dataDir, 'postgres.password'), 'utf8').trim();
  const sql = postgres(`postgres://doppel@127.0.0.1:${ports.POSTGRES_PORT}/doppel_cluster`, {
    password,
    max: 4,
    onnotice: () => {},
  });
  const pidOf = (name: string) =>
    Number(readFileSync(path.join(stateDir, 'run', `${name}.pid`), 'utf8').split('\n')[0]);
  return {
    dataDir,
    apiUrl: `http://127.0.0.1:${ports.API_PORT}/graphql`,
    gatewayUrl: `ws://127.0.0.1:${ports.GATEWAY_PORT}/device`,
    temporalAddress: `127.0.0.1:${ports.TEMPORAL_PORT}`,
    topology: readTopology(stateDir),
    sql,
    output: started.output,
    pidOf,
    kill(name) {
      const pid = pidOf(name);
      process.kill(pid, 'SIGKILL');
      return pid;
    },
    async stop() {
      await sql.end({ timeout: 5 });
      const code = await interrupt(started.child);
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

/**
 * A device on the native JSON protocol that behaves as a real one does: it reconnects (to the
 * same balanced address) whenever its connection drops, reports and sends telemetry on a timer,
 * remembers what the gateway acknowledged, and answers every command it gets — each one logged,
 * not only the first of a connection.
 */
export class ReconnectingDevice {
  /** Every command message received, in order, with the connection it came on. */
  readonly commands: Array<{ id: string; name: string; connection: number }> = [];
  /** Telemetry sample times (`at`) the gateway acknowledged. */
  readonly ackedSamples: string[] = [];
  /** The highest `counter` a report of which was acknowledged. */
  ackedCounter = 0;
  /** When the gateway last acknowledged anything (ms since the epoch). */
  lastAckAt = 0;
  /** Messages sent that asked for an ack, and acks received. */
  sent = 0;
  acks = 0;
  connections = 0;
  private ws: WebSocket | null = null;
  private seq = 1;
  private counter = 0;
  private pending = new Map<number, () => void>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private welcomed: (() => void) | null = null;

  constructor(
    readonly url: string,
    readonly tenantId: string,
    readonly deviceId: string,
    private readonly token: string,
  ) {}

  /** Reports go out on every `reportEvery`-th tick (telemetry on every one). */
  private reportEvery = 1;
  private ticks = 0;

  /** Connects (retrying until welcomed) and starts sending every `everyMs`. */
  async start(everyMs = 200, reportEvery = 1): Promise<void> {
    this.reportEvery = reportEvery;
    await this.connect();
    this.timer = setInterval(() => this.tick(), everyMs);
  }

  get online(): boolean {
    return this.ws?.readyState === WebSocket.OPEN && this.welcomed === null;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.ws?.close();
  }

  private connect(): Promise<void> {
    return new Promise<void>((resolve) => {
      const attempt = () => {
        if (this.stopped) return resolve();
        const ws = new WebSocket(this.url);
        this.ws = ws;
        const connection = ++this.connections;
        this.welcomed = () => {
          this.welcomed = null;
          resolve();
        };
        ws.on('open', () =>
          ws.send(
            JSON.stringify({
              type: 'hello',
              seq: this.seq++,
              tenant: this.tenantId,
              device: this.deviceId,
              token: this.token,
            }),
          ),
        );
        ws.on('message', (data) => this.onMessage(JSON.parse(data.toString()), connection));
        ws.on('error', () => {});
        ws.on('close', () => {
          this.pending.clear();
          if (this.stopped) return;
          // Back off a little, as a device does; the balancer sends it to a live node.
          setTimeout(attempt, 200 + Math.random() * 300);
        });
      };
      attempt();
    });
  }

  private onMessage(m: Record<string, any>, connection: number) {
    if (m.type === 'welcome') this.welcomed?.();
    else if (m.type === 'ack') {
      this.lastAckAt = Date.now();
      this.acks++;
      this.pending.get(m.seq)?.();
      this.pending.delete(m.seq);
    } else if (m.type === 'command') {
      this.commands.push({ id: m.id, name: m.name, connection });
      this.send({ type: 'command-result', id: m.id, status: 'accepted' });
    }
  }

  private send(message: Record<string, unknown>, onAck?: () => void) {
    if (!this.online) return;
    const seq = this.seq++;
    if (onAck) {
      this.pending.set(seq, onAck);
      this.sent++;
    }
    this.ws!.send(JSON.stringify({ ...message, seq }));
  }

  private tick() {
    const counter = ++this.counter;
    if (this.ticks++ % this.reportEvery === 0)
      this.send({ type: 'report', state: { counter } }, () => {
        this.ackedCounter = Math.max(this.ackedCounter, counter);
      });
    const at = new Date(Date.UTC(2026, 0, 1) + counter * 1000).toISOString();
    this.send({ type: 'telemetry', samples: [{ at, values: { counter } }] }, () =>
      this.ackedSamples.push(at),
    );
  }
}
