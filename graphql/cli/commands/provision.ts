import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Option, type Command } from 'commander';
import { CliError, clientOf, type ApiClient } from '../api-client';
import { progress } from '../progress';
import { deliverSecrets, secretsFileExists, type BulkIdentity } from './bulk-secrets';
import { BULK_PROGRESS, PROVISION_DEVICES } from './bulk-queries';
import { printSummary, type BulkState } from './bulk-summary';

interface Options {
  tenant: string;
  file: string;
  format?: 'csv' | 'json';
  secretsOut?: string;
  waitActive?: boolean;
  interval: string;
}

interface Accepted {
  bulkId: string;
  workflowId: string;
  total: number;
  accepted: number;
  identities: Array<BulkIdentity & { line: number }>;
  refused: Array<{ line: number; serial: string; reason: string }>;
}

function formatOf(options: Options): 'csv' | 'json' {
  if (options.format) return options.format;
  const ext = extname(options.file).toLowerCase();
  if (ext === '.csv' || ext === '.json') return ext.slice(1) as 'csv' | 'json';
  throw new CliError(
    'cli:provision.format-unknown',
    `cannot tell the format of ${options.file} from its extension: say --format csv or --format json`,
  );
}

function readContent(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(
      'cli:provision.file-unreadable',
      `cannot read ${file}: ${(error as Error).message}`,
    );
  }
}

/** What a progress bar follows: how many of the rows are done, and when to stop. */
interface Stage {
  label: string;
  count(s: BulkState): number;
  detail(s: BulkState): string;
  done(s: BulkState): boolean;
}

const SUBMISSION: Stage = {
  label: 'submitted',
  count: (s) => s.counts.submitted,
  detail: (s) =>
    `registered ${s.counts.registered}, started ${s.counts.started}, failed ${s.counts.failed}`,
  done: (s) => s.status === 'SUBMITTED',
};

const ACTIVATION: Stage = {
  label: 'settled',
  count: (s) => s.counts.settled,
  detail: ({ counts: c }) =>
    `active ${c.active}, awaiting ${c.awaitingActivation + c.admitting}, failed ${c.provisioningFailed + c.provisioningRefused}`,
  done: (s) => s.counts.settled >= s.total,
};

/** Polls the bulk until the stage is done, a progress bar (or lines) showing it. */
async function follow(
  api: ApiClient,
  key: { t: string; b: string },
  stage: Stage,
  intervalMs: number,
): Promise<BulkState> {
  const bar = progress(stage.label);
  try {
    for (;;) {
      const { bulkProvisioning: state } = await api.request<{ bulkProvisioning: BulkState }>(
        BULK_PROGRESS,
        key,
      );
      bar.update(stage.count(state), state.total, stage.detail(state));
      if (stage.done(state)) return state;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  } finally {
    bar.stop();
  }
}

async function provision(options: Options, command: Command): Promise<void> {
  const format = formatOf(options);
  // Rows are named where they are in the file: a CSV line, a JSON array item.
  const unit = format === 'csv' ? 'line' : 'item';
  const intervalMs = Number(options.interval);
  if (!Number.isInteger(intervalMs) || intervalMs < 50)
    throw new CliError(
      'cli:provision.interval-invalid',
      '--interval is in milliseconds, at least 50',
    );
  // Checked before anything is created: the secrets must have somewhere to go.
  if (options.secretsOut && existsSync(options.secretsOut))
    throw secretsFileExists(options.secretsOut);
  const api = await clientOf(command);
  const content = readContent(options.file);
  const { provisionDevices: bulk } = await api.request<{ provisionDevices: Accepted }>(
    PROVISION_DEVICES,
    { i: { tenantId: options.tenant, format: format.toUpperCase(), content } },
  );
  process.stderr.write(
    `bulk ${bulk.bulkId} (${bulk.workflowId}): ${bulk.accepted} of ${bulk.total} rows accepted\n`,
  );
  for (const r of bulk.refused)
    process.stderr.write(`refused: ${unit} ${r.line} ${r.serial}: ${r.reason}\n`);
  const delivered = deliverSecrets(bulk.identities, options.secretsOut);
  const key = { t: options.tenant, b: bulk.bulkId };
  let state = await follow(api, key, SUBMISSION, intervalMs);
  if (options.waitActive) state = await follow(api, key, ACTIVATION, intervalMs);
  const ok = await printSummary(api, key, state, {
    unit,
    followedActivation: Boolean(options.waitActive),
  });
  if (!ok || !delivered) process.exitCode = 1;
}

/** `doppel provision --tenant <t> --file devices.csv`: bulk provisioning with progress. */
export function registerProvision(program: Command): void {
  program
    .command('provision')
    .description(
      'Provision every device of a CSV or JSON file (see docs/fleet-operations.md), showing progress; exits non-zero when a row is refused or fails.',
    )
    .requiredOption('--tenant <tenant>', 'tenant id')
    .requiredOption('--file <path>', 'the devices: a .csv with a header row or a .json array')
    .addOption(
      new Option('--format <format>', 'file format (default: from the extension)').choices([
        'csv',
        'json',
      ]),
    )
    .option(
      '--secrets-out <path>',
      'write serial,method,secret here (a new file, mode 0600) instead of stdout',
    )
    .option('--wait-active', 'keep following until every row is active or failed')
    .option('--interval <ms>', 'how often progress is polled', '1000')
    .action((options: Options, command: Command) => provision(options, command));
}
