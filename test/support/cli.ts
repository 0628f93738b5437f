import { spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../deploy/embedded/paths';
import { ADMIN_TOKEN } from './auth';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the operator CLI (`doppel …`) as a user would, in a process of its own against the
 * given API (or the one it finds), and resolves once it exits. `onStderr` sees its progress lines as they come.
 */
export function runCli(
  /** Null: no `--api`, so the CLI finds the API itself. */
  apiUrl: string | null,
  args: string[],
  onStderr: (text: string) => void = () => {},
  env: Record<string, string> = { DOPPEL_TOKEN: ADMIN_TOKEN },
): Promise<CliRun> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(PROJECT_ROOT, 'graphql/cli/doppel.ts'),
      ...(apiUrl === null ? [] : ['--api', apiUrl]),
      ...args,
    ],
    { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    onStderr(chunk.toString());
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
