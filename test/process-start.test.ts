import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../deploy/embedded/paths';
import { unsupportedNode } from '../deploy/runtime/supported-node';

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

  it('the gateway stops with what it needs when its uWS binary does not load', async () => {
    // A binary of the installed build for another Node ABI than this one.
    const dir = path.dirname(createRequire(import.meta.url).resolve('uWebSockets.js'));
    const prefix = `uws_${process.platform}_${process.arch}_`;
    const other = readdirSync(dir).find(
      (f) => f.startsWith(prefix) && f !== `${prefix}${process.versions.modules}.node`,
    );
    expect(other).toBeDefined();
    const { code, output } = await runRole('deploy/roles/gateway.ts', {
      GATEWAY_UWS_BINARY: path.join(dir, other!),
      GATEWAY_PORT: '0',
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      DATABASE_URL: inject('databaseUrl'),
    });
    expect(code).toBe(1);
    expect(output).toContain('gateway:uws.wrong-node-abi');
    const abi = other!.slice(prefix.length, -'.node'.length);
    expect(output).toContain(`built for Node ABI ${abi}`);
    expect(output).toContain(`this is Node ${process.version} (ABI ${process.versions.modules})`);
    expect(output).toContain('fix: run Doppel on Node 24');
    expect(output).not.toContain('gateway listening');
  });

  it('a role on an unsupported Node stops at once and says how to get Node 24', async () => {
    // The machine's own Node (Debian 12 ships 20), not the one npm scripts run first.
    const node = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => existsSync(p))!;
    const version = execFileSync(node, ['-p', 'process.versions.node'], {
      encoding: 'utf8',
    }).trim();
    const child = spawnSync(node, ['--import', 'tsx', 'deploy/roles/gateway.ts'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        GATEWAY_PORT: 'eighty',
      },
    });
    const output = `${child.stdout}${child.stderr}`;
    if (unsupportedNode(version, node)) {
      expect(child.status).toBe(2);
      expect(output).toContain(`this is Node v${version} (${node})`);
      expect(output).toContain('npm install` puts Node 24');
      expect(output).not.toContain('GATEWAY_PORT'); // stopped before reading its configuration
    } else {
      // A supported machine Node passes the check and reaches the configuration.
      expect(child.status).toBe(2);
      expect(output).toContain('GATEWAY_PORT');
    }
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
    // It says what it runs on: the uWS build (≥ 20.51) and this Node's ABI.
    const started = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((entry) => typeof entry.uws === 'string');
    expect(started).toMatchObject({ node: process.version, abi: process.versions.modules });
    expect(String(started!.uws)).toMatch(/^v20\.(5[1-9]|[6-9]\d)\./);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});
