import { describe, expect, it } from 'vitest';
import type { TelemetryRow } from '../db/telemetry-store';
import { TelemetryWriter } from './telemetry-writer';

const row = (i: number): TelemetryRow => ({
  tenantId: 't',
  deviceId: `d${i}`,
  at: new Date(i).toISOString(),
  values: { i },
});

/** Records each batch and lets the test decide when it commits. */
function recordingInsert() {
  const batches: TelemetryRow[][] = [];
  let commit: (() => void) | null = null;
  const insert = (rows: readonly TelemetryRow[]) => {
    batches.push([...rows]);
    return new Promise<void>((resolve) => (commit = resolve));
  };
  return { batches, insert, commit: () => commit?.() };
}

describe('telemetry writer', () => {
  it('gathers concurrent writes into one insert and resolves each only after its commit', async () => {
    const db = recordingInsert();
    const writer = new TelemetryWriter(db.insert, 100, 5);
    let committed = 0;
    const writes = Array.from({ length: 10 }, (_, i) =>
      writer.write([row(i)]).then(() => committed++),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(db.batches.map((b) => b.length)).toEqual([10]);
    expect(committed).toBe(0);
    db.commit();
    await Promise.all(writes);
    expect(committed).toBe(10);
  });

  it('starts a batch at once when it is full, and with every slot busy the next one after a commit', async () => {
    const db = recordingInsert();
    const writer = new TelemetryWriter(db.insert, 3, 1_000, 1);
    const first = writer.write([row(1), row(2), row(3)]);
    await new Promise((r) => setTimeout(r, 5));
    const second = writer.write([row(4), row(5), row(6)]);
    await new Promise((r) => setTimeout(r, 5));
    expect(db.batches.map((b) => b.length)).toEqual([3]); // one slot: one batch in flight
    db.commit();
    await first;
    await new Promise((r) => setTimeout(r, 5));
    expect(db.batches.map((b) => b.length)).toEqual([3, 3]);
    db.commit();
    await second;
  });

  it('keeps several batches in flight, each write resolved by its own commit', async () => {
    const commits: Array<() => void> = [];
    const batches: number[] = [];
    const writer = new TelemetryWriter(
      (rows) => {
        batches.push(rows.length);
        return new Promise<void>((resolve) => commits.push(resolve));
      },
      2,
      1_000,
      2,
    );
    const done: number[] = [];
    const writes: Array<Promise<unknown>> = [];
    for (const n of [1, 2, 3]) {
      writes.push(writer.write([row(n * 10), row(n * 10 + 1)]).then(() => done.push(n)));
      await new Promise((r) => setTimeout(r, 2)); // each batch full on its own
    }
    await new Promise((r) => setTimeout(r, 5));
    expect(batches).toEqual([2, 2]); // two slots busy, the third batch waits
    commits[1]!(); // the second commits first
    await new Promise((r) => setTimeout(r, 5));
    expect(done).toEqual([2]);
    expect(batches).toEqual([2, 2, 2]);
    commits[0]!();
    commits[2]!();
    await Promise.all(writes);
    expect(done.sort()).toEqual([1, 2, 3]);
    await writer.drained();
  });

  it('rejects every write of a failed batch, so devices resend', async () => {
    const writer = new TelemetryWriter(() => Promise.reject(new Error('disk full')), 100, 1);
    await expect(Promise.all([writer.write([row(1)]), writer.write([row(2)])])).rejects.toThrow(
      'disk full',
    );
  });
});
