import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, clientOf, type ApiClient } from '../api-client';
import { progress } from '../progress';
import { writeNewFile } from './output';
import {
  BUNDLE_FORMAT,
  verifyBundle,
  type LedgerBundle,
  type VerifyOptions,
} from '../verify/ledger-bundle';
import { keyIdOf } from '../verify/bundle-keys';

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

/** A public key in canonical PEM with its id, as `doppel verify --public-key` takes it. */
function publicKeyText(pem: string): { keyId: string; pem: string } {
  const key = createPublicKey(pem);
  return { keyId: keyIdOf(key), pem: String(key.export({ type: 'spki', format: 'pem' })) };
}

/**
 * `doppel ledger public-key`: the installation's checkpoint key for `verify --public-key`, from
 * the signing key itself (run where the key is kept: the out-of-band way) or over the
 * authenticated API (as trustworthy as the connection and the credentials used).
 */
async function publicKeys(
  o: { signingKey?: string; tenant?: string },
  command: Command,
): Promise<Array<{ keyId: string; pem: string }>> {
  if ((o.signingKey === undefined) === (o.tenant === undefined))
    throw new CliError(
      'cli:ledger.key-source',
      'say where the key comes from: --signing-key <file> (the private key, on the installation) ' +
        'or --tenant <id> (asks the API, authenticated)',
    );
  if (o.signingKey !== undefined) {
    let key;
    try {
      key = createPrivateKey(readFileSync(o.signingKey, 'utf8'));
    } catch (error) {
      throw new CliError(
        'cli:ledger.unreadable-key',
        `cannot read ${o.signingKey} as a PEM private key: ${(error as Error).message}`,
      );
    }
    if (key.asymmetricKeyType !== 'ed25519')
      throw new CliError(
        'cli:ledger.unreadable-key',
        `${o.signingKey} is a ${key.asymmetricKeyType} key; checkpoints are signed with Ed25519`,
      );
    return [publicKeyText(String(createPublicKey(key).export({ type: 'spki', format: 'pem' })))];
  }
  const { ledgerKeys } = await (
    await clientOf(command)
  ).request<{ ledgerKeys: Array<{ keyId: string; publicKey: string }> }>(
    'query ($t: ID!) { ledgerKeys(tenantId: $t) { keyId publicKey } }',
    { t: o.tenant },
  );
  return ledgerKeys.map((k) => {
    const own = publicKeyText(k.publicKey);
    if (own.keyId !== k.keyId)
      throw new CliError(
        'cli:ledger.key-mismatch',
        `the API names key ${k.keyId}, but that key's own id is ${own.keyId}`,
      );
    return own;
  });
}

/** `doppel export ledger`, `doppel ledger public-key` and `doppel verify`. */
export function registerLedger(program: Command, exporting: Command): void {
  program
    .command('ledger')
    .description('The ledger and its keys.')
    .command('public-key')
    .description(
      "The installation's checkpoint public key(s) in PEM, with their ids, for `verify --public-key`.",
    )
    .option(
      '--signing-key <file>',
      'derive it from the Ed25519 signing key (LEDGER_SIGNING_KEY_FILE; npm start: .data/ledger-signing-key.pem)',
    )
    .option('--tenant <id>', 'ask the API instead (ledgerKeys; tenant-admin)')
    .option('--out <file>', 'write the PEM here (never overwritten) instead of to stdout')
    .action(async (o: { signingKey?: string; tenant?: string; out?: string }, c: Command) => {
      const keys = await publicKeys(o, c);
      const pem = keys.map((k) => k.pem).join('');
      if (o.out) writeNewFile(o.out, pem);
      else process.stdout.write(pem);
      for (const k of keys)
        process.stderr.write(`key ${k.keyId}${o.out ? ` written to ${o.out}` : ''}\n`);
    });
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
    .description(
      'Check a ledger bundle offline: hashes, links, key ids, signatures by a pinned key, coverage, age.',
    )
    .option(
      '--public-key <pem-file...>',
      "the installation's public key (got out of band): only checkpoints it signed are accepted",
    )
    .option(
      '--trust-bundle-keys',
      'accept the keys the bundle carries: checks consistency only, since anyone can re-sign a bundle',
    )
    .option(
      '--max-checkpoint-age <seconds>',
      'fail when the newest checkpoint is older than this (a cut-off tail leaves an old one)',
    )
    .action(
      (
        file: string,
        o: { publicKey?: string[]; trustBundleKeys?: boolean; maxCheckpointAge?: string },
      ) => {
        const options = verifyOptions(o);
        let raw: unknown;
        try {
          raw = JSON.parse(readFileSync(file, 'utf8'));
        } catch (error) {
          throw new CliError(
            'cli:verify.unreadable',
            `cannot read ${file} as JSON: ${(error as Error).message}`,
          );
        }
        const verdict = verifyBundle(raw, options);
        if (!verdict.ok) {
          for (const problem of verdict.problems) process.stderr.write(`✗ ${problem}\n`);
          throw new CliError(
            'cli:verify.failed',
            `${file} does NOT verify (${verdict.problems.length} problem${verdict.problems.length === 1 ? '' : 's'})`,
          );
        }
        const age = verdict.newestCheckpointAge;
        process.stdout.write(
          `✓ ${file}: ${plural(verdict.entries, 'entry', 'entries')}, chain intact, ` +
            `${plural(verdict.checkpoints, 'signature', 'signatures')} valid; ` +
            `signed through entry ${verdict.signedThrough?.seq ?? 0}` +
            (verdict.signedThrough ? ` at ${verdict.signedThrough.signedAt}` : '') +
            '\n' +
            (age
              ? `  newest checkpoint: ${duration(age.now)} old` +
                (age.export !== null ? `, ${duration(age.export)} before the export` : '') +
                ' (entries after it, if any were cut off, would not show otherwise)\n'
              : ''),
        );
        if (o.trustBundleKeys)
          process.stderr.write(
            "⚠ NOT PROVEN TO COME FROM THE INSTALLATION: checked with the bundle's own keys, which anyone can replace\n",
          );
      },
    );
}

/** The check's options from the command line; refuses to check against no key at all. */
function verifyOptions(o: {
  publicKey?: string[];
  trustBundleKeys?: boolean;
  maxCheckpointAge?: string;
}): VerifyOptions {
  const pinned = o.publicKey ?? [];
  if (pinned.length > 0 && o.trustBundleKeys)
    throw new CliError(
      'cli:verify.options',
      '--public-key and --trust-bundle-keys exclude each other: a pinned key is the stronger check',
    );
  if (pinned.length === 0 && !o.trustBundleKeys)
    throw new CliError(
      'cli:verify.key-required',
      "no key to check against: pass the installation's public key with --public-key " +
        '(the bundle carries keys, but anyone who alters a bundle can re-sign it with a key of ' +
        'their own); --trust-bundle-keys checks consistency only',
    );
  if (o.trustBundleKeys)
    process.stderr.write(
      '⚠ WARNING: --trust-bundle-keys accepts whatever keys the bundle carries. A bundle altered\n' +
        "  and re-signed with a new key passes this check. Pin the installation's key with\n" +
        '  --public-key to know the installation signed it.\n',
    );
  const maxAge = o.maxCheckpointAge === undefined ? undefined : Number(o.maxCheckpointAge);
  if (maxAge !== undefined && !(Number.isInteger(maxAge) && maxAge > 0))
    throw new CliError(
      'cli:verify.options',
      `--max-checkpoint-age: "${o.maxCheckpointAge}" is not a whole number of seconds`,
    );
  return {
    trustedKeys: pinned.map((f) => readFileSync(f, 'utf8')),
    trustBundleKeys: o.trustBundleKeys === true,
    ...(maxAge !== undefined ? { maxCheckpointAgeS: maxAge } : {}),
  };
}

/** 42 s, 5 min, 3 h, 2 d: an age at a glance. */
function duration(seconds: number): string {
  const s = Math.max(0, seconds);
  if (s < 120) return `${s} s`;
  if (s < 2 * 3600) return `${Math.round(s / 60)} min`;
  if (s < 2 * 86400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}
