import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../deploy/embedded/paths';

const TSX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');

/** Runs a role's entry point as its own process and returns its exit code and output. */
async function runRole(script: string, env: Record<string, string>, timeoutMs = 60_000) {
  const child = spawn(TSX, [path.join(PROJECT_ROOT, script)], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      LOG_FORMAT: 'json',
      ...env,
    },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, output };
}

describe('role processes', () => {
  it('refuse to start with a readable list of bad configuration', async () => {
    const { code, output } = await runRole('deploy/roles/gateway.ts', {
      GATEWAY_PORT: 'eighty',
      TEMPORAL_ADDRESS: 'nohostport',
      EGRESS_ALLOWED_NETWORKS: '127.0.0.0/8,10.0.0.0',
    });
    expect(code).toBe(2);
    expect(output).toContain('The gateway cannot start');
    for (const name of [
      'GATEWAY_PORT',
      'TEMPORAL_ADDRESS',
      'DATABASE_URL',
      'EGRESS_ALLOWED_NETWORKS',
    ])
      expect(output).toContain(name);
    expect(output).toContain('"10.0.0.0" is not a network');
    expect(output).not.toMatch(/at .+\.ts:\d+/); // no stack trace for a configuration error
  });

  it('the gateway refuses the slow pure-JS fallback of uWebSockets.js', async () => {
    const { code, output } = await runRole('deploy/roles/gateway.ts', {
      UWS_USE_FALLBACK: '1',
      GATEWAY_PORT: '0',
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      DATABASE_URL: inject('databaseUrl'),
    });
    expect(code).toBe(1);
    expect(output).toContain('gateway:uws.native-missing');
    expect(output).not.toContain('gateway listening');
  });

  it('the gateway starts alone with a valid configuration and stops on SIGTERM', async () => {
    const child = spawn(TSX, [path.join(PROJECT_ROOT, 'deploy/roles/gateway.ts')], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        LOG_FORMAT: 'json',
        GATEWAY_PORT: '0',
        GATEWAY_HOST: '127.0.0.1',
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        DATABASE_URL: inject('databaseUrl'),
      },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 30_000;
    while (
      !output.includes('gateway listening') &&
      Date.now() < deadline &&
      child.exitCode === null
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(output).toContain('gateway listening');
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});
