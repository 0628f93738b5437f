/**
 * The benchmarks' cluster profile backends (`npm run bench -- --profile=cluster`): the real
 * Temporal server on a private PostgreSQL with production durability, thrown away after.
 */
import net from 'node:net';
import { Connection } from '@temporalio/client';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { startStack, helloDevice, registerDevice, uniqueTenant } from '../../test/support/stack';
import { startScratchCluster } from './scratch-cluster';
import { persistedHistoryShards, postgresServerOf } from './temporal-databases';

const listening = (address: string) =>
  new Promise<boolean>((resolve) => {
    const [host, port] = address.split(':');
    const socket = net.connect(Number(port), host!);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('the scratch cluster (benchmarks on the cluster profile)', () => {
  it('runs Doppel on the real Temporal server with the shards asked for and PostgreSQL with fsync on, and leaves nothing running', async () => {
    const infra = await startScratchCluster({ historyShards: 4 });
    let stopped = false;
    try {
      expect(infra.historyShards).toBe(4);
      expect(infra.started).toEqual([
        'postgres',
        'temporal-history',
        'temporal-matching',
        'temporal-frontend',
        'temporal-worker',
      ]);
      // The shard count the server persisted, not only the one asked for.
      expect(await persistedHistoryShards(postgresServerOf(infra.databaseUrl))).toBe(4);
      const sql = postgres(infra.databaseUrl, { max: 1, onnotice: () => {} });
      try {
        const [fsync] = await sql`show fsync`;
        const [sync] = await sql`show synchronous_commit`;
        expect([fsync?.fsync, sync?.synchronous_commit]).toEqual(['on', 'on']);
      } finally {
        await sql.end();
      }
      // The `default` namespace the benchmarks use exists.
      const connection = await Connection.connect({ address: infra.temporalAddress });
      try {
        const ns = await connection.workflowService.describeNamespace({ namespace: 'default' });
        expect(ns.namespaceInfo?.name).toBe('default');
      } finally {
        await connection.close();
      }
      // Doppel's database is migrated and a device's report reaches its twin's projection.
      const stack = await startStack({
        temporalAddress: infra.temporalAddress,
        databaseUrl: infra.databaseUrl,
      });
      try {
        const tenantId = uniqueTenant('scratch');
        const token = await registerDevice(stack, tenantId, 'd-1');
        const device = await helloDevice(stack.gatewayUrl, { tenantId, deviceId: 'd-1', token });
        device.send({ type: 'report', seq: 2, state: { firmware: '1.0.0' } });
        const ack = await device.next((m) => m.seq === 2);
        expect(ack.type).toBe('ack');
        device.close();
        let rows: number[] = [];
        for (let i = 0; i < 300 && rows.length === 0; i++) {
          rows = (
            await stack.database.sql`select 1 from outbox
              where tenant_id = ${tenantId} and kind = 'reported'`
          ).map(() => 1);
          if (rows.length === 0) await new Promise((r) => setTimeout(r, 100));
        }
        expect(rows.length).toBe(1);
      } finally {
        await stack.stop();
      }
      await infra.stop();
      stopped = true;
      expect(await listening(infra.temporalAddress)).toBe(false);
      const pg = postgresServerOf(infra.databaseUrl);
      expect(await listening(`${pg.host}:${pg.port}`)).toBe(false);
    } finally {
      if (!stopped) await infra.stop();
    }
  }, 300_000);
});
