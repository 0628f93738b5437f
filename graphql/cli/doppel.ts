/**
 * `npm run doppel -- <command>`: the operator CLI over the GraphQL API. Each command lives in
 * commands/ and registers itself on the program; this file only wires the shared options and
 * turns errors into one line and a non-zero exit.
 */
import { Command } from 'commander';
import { CliError } from './api-client';
import { registerAuth } from './commands/auth';
import { registerDevices } from './commands/devices';
import { registerExport } from './commands/export';
import { registerLogs } from './commands/logs';
import { registerProvision } from './commands/provision';
import { registerRollout } from './commands/rollout';
import { defaultApiUrl } from './stack-url';

const program = new Command('doppel')
  .description('Operate a Doppel fleet through its GraphQL API.')
  .option(
    '--api <url>',
    'GraphQL endpoint (else DOPPEL_API_URL, else the API `npm start` runs here, else port 4000)',
    defaultApiUrl(),
  )
  .option('--token <token>', 'JWT or API key (else DOPPEL_TOKEN, else what login kept)')
  .showHelpAfterError();

const commands: Array<(program: Command) => void> = [
  registerAuth,
  registerDevices,
  registerProvision,
  registerRollout,
  registerExport,
  registerLogs,
];

for (const register of commands) register(program);

program.parseAsync().catch((error: unknown) => {
  if (error instanceof CliError) process.stderr.write(`doppel: ${error.message} [${error.code}]\n`);
  else process.stderr.write(`doppel: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
