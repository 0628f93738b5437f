import { readFile } from 'node:fs/promises';
import { type Command } from 'commander';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { CliError, clientOf, type ApiClient } from '../api-client';
import { progress } from '../progress';

const ROLLOUT_FIELDS = /* GraphQL */ `
  rolloutId
  status
  reason
  targeted
  counts { pending skipped commanded succeeded failed aborted }
`;

interface RolloutView {
  rolloutId: string;
  status: string;
  reason: string | null;
  targeted: number;
  counts: Record<'pending' | 'skipped' | 'commanded' | 'succeeded' | 'failed' | 'aborted', number>;
}

const finished = (r: RolloutView) =>
  r.counts.succeeded + r.counts.failed + r.counts.skipped + r.counts.aborted;
const summary = (r: RolloutView) =>
  `${r.status.toLowerCase()} · ${r.counts.succeeded} updated, ${r.counts.failed} failed, ` +
  `${r.counts.skipped} skipped, ${r.counts.commanded} in progress` +
  (r.reason ? ` · ${r.reason}` : '');

/** graphql-ws endpoint of an HTTP GraphQL endpoint (same path, ws:// or wss://). */
const wsUrl = (httpUrl: string) => httpUrl.replace(/^http/, 'ws');

/**
 * Follows a rollout over the `rolloutProgress` subscription (graphql-ws, reconnecting after a
 * drop: each event is the whole state, so nothing is missed) with a progress bar, until it
 * ends. Resolves to the last state seen.
 */
export async function watchRollout(
  api: ApiClient,
  tenantId: string,
  rolloutId: string,
): Promise<RolloutView> {
  const bar = progress(`rollout ${rolloutId}`);
  const client = createClient({
    url: wsUrl(api.url),
    webSocketImpl: WebSocket,
    connectionParams: api.authorization ? { authorization: api.authorization } : {},
    retryAttempts: 10,
    shouldRetry: () => true,
  });
  let last: RolloutView | null = null;
  try {
    await new Promise<void>((resolve, reject) => {
      client.subscribe<{ rolloutProgress: RolloutView }>(
        {
          query: `subscription ($t: ID!, $r: ID!) { rolloutProgress(tenantId: $t, rolloutId: $r) { ${ROLLOUT_FIELDS} } }`,
          variables: { t: tenantId, r: rolloutId },
        },
        {
          next: ({ data, errors }) => {
            const [first] = errors ?? [];
            if (first) {
              const code = (first.extensions as { code?: string } | undefined)?.code ?? 'api:error';
              reject(new CliError(code, first.message));
              return;
            }
            if (!data) return;
            last = data.rolloutProgress;
            bar.update(finished(last), last.targeted, summary(last));
          },
          error: (error) =>
            reject(
              error instanceof Error
                ? new CliError('cli:subscription.failed', error.message)
                : new CliError(
                    'cli:api.unreachable',
                    `cannot follow the rollout at ${wsUrl(api.url)}`,
                  ),
            ),
          complete: resolve,
        },
      );
    });
  } finally {
    bar.stop();
    await client.dispose();
  }
  if (!last)
    throw new CliError('rollout:not-found', `no rollout ${rolloutId} in tenant ${tenantId}`);
  return last;
}

/** Exit code of a watched rollout: 0 only when it completed with no device failed. */
const exitCodeOf = (r: RolloutView) => (r.status === 'COMPLETED' && r.counts.failed === 0 ? 0 : 1);

async function readConfig(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError('cli:file.unreadable', `cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch (error) {
    throw new CliError('cli:file.invalid', `${file} is not JSON: ${(error as Error).message}`);
  }
  throw new CliError('cli:file.invalid', `${file} must hold one JSON object (the configuration)`);
}

interface TenantOption {
  tenant: string;
}

const CONTROLS = {
  pause: ['pauseRollout', 'pause a running rollout: nobody new is commanded'],
  resume: ['resumeRollout', 'resume a paused rollout'],
  abort: ['abortRollout', 'abort a rollout: devices never commanded are left out'],
  'retry-failed': ['retryFailedRollout', 'run the failed devices again, as a wave of their own'],
} as const;

/** `doppel rollout …`: start, watch, show and steer OTA rollouts and bulk commands. */
export function registerRollout(program: Command): void {
  const rollout = program
    .command('rollout')
    .description('OTA rollouts and bulk commands (docs/fleet-operations.md)');

  rollout
    .command('start')
    .description('start a rollout (or, with --bulk, a bulk command) from a JSON configuration')
    .requiredOption('--tenant <id>', 'tenant')
    .requiredOption('--file <path>', 'the configuration (JSON)')
    .option('--bulk', 'the file configures a bulk command, not a firmware rollout')
    .option('--watch', 'follow it with a progress bar until it ends')
    .action(
      async (
        options: TenantOption & { file: string; bulk?: boolean; watch?: boolean },
        command: Command,
      ) => {
        const api = await clientOf(command);
        const config = await readConfig(options.file);
        // The file's JSON is the input type's variable as it stands (same field names).
        const [mutation, arg, input] = options.bulk
          ? ['startBulkCommand', 'command', 'BulkCommandConfigInput']
          : ['startRollout', 'rollout', 'RolloutConfigInput'];
        const data = await api.request<Record<string, { workflowId: string; created: boolean }>>(
          `mutation ($t: ID!, $c: ${input}!) { ${mutation}(tenantId: $t, ${arg}: $c) { workflowId created } }`,
          { t: options.tenant, c: config },
        );
        const started = data[mutation]!;
        process.stdout.write(
          started.created
            ? `started ${started.workflowId}\n`
            : `${started.workflowId} was started before; nothing new started\n`,
        );
        if (!options.watch) return;
        const last = await watchRollout(api, options.tenant, String(config.id));
        process.stdout.write(`${summary(last)}\n`);
        process.exitCode = exitCodeOf(last);
      },
    );

  rollout
    .command('watch <rolloutId>')
    .description(
      'follow a rollout with a progress bar until it ends (exit 1 if aborted or any device failed)',
    )
    .requiredOption('--tenant <id>', 'tenant')
    .action(async (rolloutId: string, options: TenantOption, command: Command) => {
      const last = await watchRollout(await clientOf(command), options.tenant, rolloutId);
      process.stdout.write(`${summary(last)}\n`);
      process.exitCode = exitCodeOf(last);
    });

  rollout
    .command('show <rolloutId>')
    .description("a rollout's status, counts and devices")
    .requiredOption('--tenant <id>', 'tenant')
    .option('--devices <n>', 'devices to list, in rollout order', '20')
    .action(
      async (rolloutId: string, options: TenantOption & { devices: string }, command: Command) => {
        const first = Number(options.devices);
        if (!Number.isInteger(first) || first < 0)
          throw new CliError('cli:option.invalid', '--devices: a whole number ≥ 0');
        const data = await (
          await clientOf(command)
        ).request<{
          rollout:
            | (RolloutView & {
                devices: Array<Record<string, unknown>>;
                healthChecks: Array<{
                  wave: number;
                  status: string;
                  bakeUntil: string;
                  reason: string | null;
                }>;
              })
            | null;
        }>(
          `query ($t: ID!, $r: ID!, $n: Int) { rollout(tenantId: $t, rolloutId: $r) { ${ROLLOUT_FIELDS} devices(first: $n) { deviceId status attempts detail } healthChecks { wave status bakeUntil reason } } }`,
          { t: options.tenant, r: rolloutId, n: first },
        );
        if (!data.rollout)
          throw new CliError(
            'rollout:not-found',
            `no rollout ${rolloutId} in tenant ${options.tenant}`,
          );
        const r = data.rollout;
        process.stdout.write(`${r.rolloutId}: ${summary(r)} (${r.targeted} devices)\n`);
        // Its health gates (docs/fleet-operations.md "Health-gated rollouts"), wave by wave.
        for (const h of r.healthChecks)
          process.stdout.write(
            `  health gate after wave ${h.wave}: ${h.status.toLowerCase()}` +
              (h.status === 'BAKING' ? ` until ${h.bakeUntil}` : '') +
              (h.reason ? ` · ${h.reason}` : '') +
              '\n',
          );
        for (const d of r.devices)
          process.stdout.write(
            `  ${String(d.deviceId).padEnd(24)} ${String(d.status).toLowerCase().padEnd(10)} ` +
              `attempts ${String(d.attempts)}${d.detail ? `  ${String(d.detail)}` : ''}\n`,
          );
      },
    );

  for (const [name, [mutation, description]] of Object.entries(CONTROLS))
    rollout
      .command(`${name} <rolloutId>`)
      .description(description)
      .requiredOption('--tenant <id>', 'tenant')
      .option('--reason <text>', 'why (shown on the rollout)')
      .action(
        async (
          rolloutId: string,
          options: TenantOption & { reason?: string },
          command: Command,
        ) => {
          const answer = await (
            await clientOf(command)
          ).request<Record<string, { rollout: { status: string } }>>(
            `mutation ($i: RolloutControlInput!) { ${mutation}(input: $i) { rollout { status } } }`,
            { i: { tenantId: options.tenant, rolloutId, reason: options.reason ?? null } },
          );
          process.stdout.write(
            `${name}: sent to ${rolloutId} (${answer[mutation]!.rollout.status.toLowerCase()})\n`,
          );
        },
      );
}
