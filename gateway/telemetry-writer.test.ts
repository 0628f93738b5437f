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

  it('starts a batch at once when it is full, and the next one after the first commits', async () => {
    const db = recordingInsert();
    const writer = new TelemetryWriter(db.insert, 3, 1_000);
    const first = writer.write([row(1), row(2), row(3)]);
    await new Promise((r) => setTimeout(r, 5));
    const second = writer.write([row(4), row(5), row(6)]);
    await new Promise((r) => setTimeout(r, 5));
    expect(db.batches.map((b) => b.length)).toEqual([3]); // one batch in flight at a time
    db.commit();
    await first;
    await new Promise((r) => setTimeout(r, 5));
    expect(db.batches.map((b) => b.length)).toEqual([3, 3]);
    db.commit();
    await second;
  });

  it('rejects every write of a failed batch, so devices resend', async () => {
    const writer = new TelemetryWriter(() => Promise.reject(new Error('disk full')), 100, 1);
    await expect(Promise.all([writer.write([row(1)]), writer.write([row(2)])])).rejects.toThrow(
      'disk full',
    );
  });
});
