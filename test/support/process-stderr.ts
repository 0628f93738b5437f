import type { ChildProcess } from 'node:child_process';

/**
 * Passes a role process's stderr through to the test's, and keeps it: a role that refuses to
 * start says why there (deploy/process.ts), and the test's error should show it.
 */
export function stderrOf(child: ChildProcess): () => string {
  let text = '';
  child.stderr!.on('data', (d: Buffer) => {
    text += d.toString();
    process.stderr.write(d);
  });
  return () => text;
}
