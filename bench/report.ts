import os from 'node:os';
import { startScratchInfrastructure } from '../deploy/embedded/infrastructure';
import { startStack, type TestStack } from '../test/support/stack';

/** The machine line every benchmark table states (cores, CPU, memory, Node, kernel). */
export function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.type()} ${os.release()}`;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs `work` against a scratch Temporal dev server and PostgreSQL with Doppel's worker,
 * gateway and API started on them (as the tests do), and tears everything down after.
 */
export async function withScratchStack<T>(
  work: (
    stack: TestStack,
    backends: { temporalAddress: string; databaseUrl: string },
  ) => Promise<T>,
): Promise<T> {
  const infra = await startScratchInfrastructure();
  try {
    const backends = { temporalAddress: infra.temporalAddress, databaseUrl: infra.databaseUrl };
    const stack = await startStack(backends);
    try {
      return await work(stack, backends);
    } finally {
      await stack.stop();
    }
  } finally {
    await infra.stop();
  }
}
