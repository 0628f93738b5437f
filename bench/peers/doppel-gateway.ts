/**
 * Doppel's device gateway alone (as `npm run gateway` runs it), with the options of the test
 * stack, against the given Temporal and PostgreSQL: the system under test, in a process of its
 * own so its CPU can be measured and profiled apart from the worker and the API.
 */
import pino from 'pino';
import { createDatabase } from '../../db/client';
import { startGateway } from '../../gateway/start-gateway';
import type { Peer } from './peer';

export async function start(opts: { temporalAddress: string; databaseUrl: string }): Promise<Peer> {
  const database = createDatabase(opts.databaseUrl);
  const gateway = await startGateway({
    host: '127.0.0.1',
    port: 0,
    nodeId: `bench-gw-${process.pid}`,
    temporalAddress: opts.temporalAddress,
    namespace: 'default',
    database,
    logger: pino({ level: 'warn' }),
    helloTimeoutMs: 10_000,
    maxPayloadBytes: 64 * 1024,
    offlineGraceMs: 0,
    idleTimeoutS: 120,
    flapLimit: 100_000,
    admissionRatePerSecond: 5_000,
  });
  return {
    url: `ws://127.0.0.1:${gateway.port}`,
    async stop() {
      await gateway.stop();
      await database.close();
    },
  };
}
