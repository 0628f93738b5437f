import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, clientOf, type ApiClient } from '../api-client';
import { progress } from '../progress';
import { writeNewFile } from './output';
import { BUNDLE_FORMAT, verifyBundle, type LedgerBundle } from '../verify/ledger-bundle';

const PAGE = 500;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

async function readAfterSeq<T extends { seq: number }>(
  api: ApiClient,
  field: 'ledgerEntries' | 'ledgerCheckpoints',
  selection: string,
  tenantId: string,
  onPage: (count: number) => void,
): Promise<T[]> {
  const all: T[] = [];
  for (;;) {
    const data = await api.request<Record<string, T[]>>(
      `query ($t: ID!, $after: Int, $first: Int) { ${field}(tenantId: $t, afterSeq: $after, first: $first) { ${selection} } }`,
      { t: tenantId, after: all.at(-1)?.seq ?? 0, first: PAGE },
    );
    const page = data[field]!;
    all.push(...page);
    onPage(all.length);
    if (page.length < PAGE) return all;
  }
}

/** A tenant's ledger as a bundle: entries up to the newest checkpoint, with keys and proofs. */
async function exportBundle(
  api: ApiClient,
  tenantId: string,
): Promise<{
  bundle: LedgerBundle;
  left: number;
}> {
  const bar = progress('ledger');
  try {
    const { ledgerKeys } = await api.request<{ ledgerKeys: LedgerBundle['keys'] }>(
      'query ($t: ID!) { ledgerKeys(tenantId: $t) { keyId publicKey } }',
      { t: tenantId },
    );
    const checkpoints = await readAfterSeq<LedgerBundle['checkpoints'][number]>(
      api,
      'ledgerCheckpoints',
      'seq headHash keyId statement signature signedAt',
      tenantId,
      () => {},
    );
    const through = checkpoints.at(-1)?.seq ?? 0;
    const entries = await readAfterSeq<LedgerBundle['entries'][number]>(
      api,
      'ledgerEntries',
      'seq kind recordId body prevHash hash',
      tenantId,
      (n) => bar.update(Math.min(n, through), Math.max(through, 1), 'entries'),
    );
    const kept = entries.filter((e) => e.seq <= through);
    return {
      bundle: {
        format: BUNDLE_FORMAT,
        tenant: tenantId,
        exportedAt: new Date().toISOString(),
        keys: ledgerKeys,
        entries: kept,
        checkpoints,
      },
      left: entries.length - kept.length,
    };
  } finally {
    bar.stop();
  }
}

/** `doppel export ledger` and `doppel verify`. */
export function registerLedger(program: Command, exporting: Command): void {
  exporting
    .command('ledger')
    .description(
      "The tenant's signed ledger (session records and audit entries) as a bundle `doppel verify` and openssl can check.",
    )
    .requiredOption('--tenant <id>', 'tenant')
    .requiredOption('--out <file>', 'the bundle (JSON; never overwritten)')
    .action(async (o: { tenant: string; out: string }, command: Command) => {
      const { bundle, left } = await exportBundle(await clientOf(command), o.tenant);
      writeNewFile(o.out, `${JSON.stringify(bundle, null, 2)}\n`);
      process.stdout.write(
        `wrote ${plural(bundle.entries.length, 'entry', 'entries')} and ` +
          `${plural(bundle.checkpoints.length, 'checkpoint', 'checkpoints')} to ${o.out}` +
          (left > 0
            ? ` (${left} newer entries are not checkpointed yet: export again in a minute)`
            : '') +
          '\n',
      );
    });
  program
    .command('verify <bundle>')
    .description('Check a ledger bundle offline: hashes, links, signatures, coverage.')
    .option('--public-key <pem-file...>', 'accept only checkpoints signed with these keys')
    .action((file: string, o: { publicKey?: string[] }) => {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new CliError(
          'cli:verify.unreadable',
          `cannot read ${file} as JSON: ${(error as Error).message}`,
        );
      }
      const trusted = (o.publicKey ?? []).map((f) => readFileSync(f, 'utf8'));
      const verdict = verifyBundle(raw, trusted);
      if (!verdict.ok) {
        for (const problem of verdict.problems) process.stderr.write(`✗ ${problem}\n`);
        throw new CliError(
          'cli:verify.failed',
          `${file} does NOT verify (${verdict.problems.length} problem${verdict.problems.length === 1 ? '' : 's'})`,
        );
      }
      process.stdout.write(
        `✓ ${file}: ${plural(verdict.entries, 'entry', 'entries')}, chain intact, ` +
          `${plural(verdict.checkpoints, 'signature', 'signatures')} valid; ` +
          `signed through entry ${verdict.signedThrough?.seq ?? 0}` +
          (verdict.signedThrough ? ` at ${verdict.signedThrough.signedAt}` : '') +
          '\n',
      );
    });
}
