import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { apiClient, CliError, clientOf } from '../api-client';
import { storeToken } from '../credentials';

interface Me {
  actor: string;
  role: string;
  tenantId: string | null;
}

const ME = '{ me { actor role tenantId } }';
const describe = (me: Me) =>
  `${me.actor} · ${me.role.toLowerCase().replace('_', '-')}` +
  (me.tenantId ? ` in tenant ${me.tenantId}` : ' in every tenant');

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

/** `doppel login | logout | whoami`: credentials for one API, kept per API URL. */
export function registerAuth(program: Command): void {
  program
    .command('login')
    .description(
      'Check a JWT or API key against the API and keep it for later commands (mode 0600).',
    )
    .option('--token-file <file>', 'read the token from a file (e.g. .data/admin-token)')
    .option('--token-stdin', 'read the token from standard input')
    .action(async (options: { tokenFile?: string; tokenStdin?: boolean }, command: Command) => {
      const { api, token: given } = command.optsWithGlobals() as { api: string; token?: string };
      const token = (
        options.tokenFile
          ? await readFile(options.tokenFile, 'utf8').catch(() => {
              throw new CliError('cli:login.no-file', `cannot read ${options.tokenFile}`);
            })
          : options.tokenStdin
            ? await readStdin()
            : given || process.env.DOPPEL_TOKEN || ''
      ).trim();
      if (!token)
        throw new CliError(
          'cli:login.no-token',
          'give a token: --token <t>, --token-file <file>, --token-stdin or DOPPEL_TOKEN',
        );
      const { me } = await apiClient(api, token).request<{ me: Me }>(ME);
      const file = await storeToken(api, token);
      process.stdout.write(`logged in as ${describe(me)} (kept in ${file})\n`);
    });
  program
    .command('logout')
    .description('Forget the token kept for this API.')
    .action(async (_: unknown, command: Command) => {
      const { api } = command.optsWithGlobals() as { api: string };
      await storeToken(api, null);
      process.stdout.write(`logged out of ${api}\n`);
    });
  program
    .command('whoami')
    .description('Who the API takes you for.')
    .action(async (_: unknown, command: Command) => {
      const { me } = await (await clientOf(command)).request<{ me: Me }>(ME);
      process.stdout.write(`${describe(me)}\n`);
    });
}
