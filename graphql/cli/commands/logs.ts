import { Option, type Command } from 'commander';
import { CliError, clientOf, type ApiClient } from '../api-client';

const LOGS = `query ($t: ID!, $d: ID!, $f: DeviceLogFilter, $first: Int, $newer: ID) {
  deviceLogs(tenantId: $t, deviceId: $d, filter: $f, first: $first, newerThan: $newer) {
    nodes { id at level source text attributes } } }`;

interface LogsOptions {
  tenant: string;
  device: string;
  level?: string;
  grep?: string;
  since?: string;
  limit: string;
  follow?: boolean;
  intervalMs: string;
  json?: boolean;
}

interface Line {
  id: string;
  at: string;
  level: string;
  source: string;
  text: string;
  attributes: Record<string, unknown>;
}

/** `30s`, `15m`, `2h`, `7d` before now, or an ISO 8601 time. */
export function sinceOf(value: string, now = Date.now()): string {
  const relative = /^(\d+)([smhd])$/.exec(value);
  if (relative) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's'];
    return new Date(now - Number(relative[1]) * unit).toISOString();
  }
  if (Number.isNaN(Date.parse(value)))
    throw new CliError(
      'cli:input.invalid-since',
      `--since takes a duration (30s, 15m, 2h, 7d) or an ISO 8601 time, not ${value}`,
    );
  return new Date(value).toISOString();
}

const show = (line: Line, json: boolean) =>
  process.stdout.write(
    json
      ? `${JSON.stringify(line)}\n`
      : `${line.at} ${line.level.padEnd(5)} ${line.source ? `[${line.source}] ` : ''}${line.text}${
          Object.keys(line.attributes).length ? ` ${JSON.stringify(line.attributes)}` : ''
        }\n`,
  );

/** How long a line id stays in the follow window: batches commit out of id order within it. */
const SETTLE_MS = 10_000;

async function follow(
  client: ApiClient,
  vars: Record<string, unknown>,
  o: LogsOptions,
  after: string,
) {
  const interval = Number(o.intervalMs);
  // Lines are polled, not subscribed to: they do not pass through the outbox the subscriptions
  // follow (that would double the cost of every line). Gateways commit batches concurrently,
  // so a line can commit after one with a higher id: ids seen within SETTLE_MS stay in the
  // window and are asked for again, and the ones already shown are skipped.
  let watermark = BigInt(after);
  const recent = new Map<bigint, number>();
  for (;;) {
    const now = Date.now();
    for (const [id, seenAt] of recent)
      if (now - seenAt > SETTLE_MS) {
        if (id > watermark) watermark = id;
        recent.delete(id);
      }
    for (const [id] of recent) if (id <= watermark) recent.delete(id);
    const { deviceLogs } = await client.request<{ deviceLogs: { nodes: Line[] } }>(LOGS, {
      ...vars,
      first: 500,
      newer: watermark.toString(),
    });
    for (const line of deviceLogs.nodes) {
      const id = BigInt(line.id);
      if (recent.has(id)) continue;
      recent.set(id, Date.now());
      show(line, o.json ?? false);
    }
    if (deviceLogs.nodes.length < 500) await new Promise((r) => setTimeout(r, interval));
  }
}

/** `doppel logs`: a device's log lines, filtered; `--follow` keeps printing new ones. */
export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description(
      "A device's log lines (oldest first), by level, text and time; --follow tails them.",
    )
    .requiredOption('--tenant <id>', 'tenant')
    .requiredOption('--device <id>', 'device')
    .addOption(
      new Option('--level <level>', 'this level and more severe ones').choices([
        'trace',
        'debug',
        'info',
        'warn',
        'error',
        'fatal',
      ]),
    )
    .option('--grep <text>', 'lines containing this text (case-insensitive)')
    .option('--since <when>', 'lines the device wrote since: 30s, 15m, 2h, 7d or an ISO time')
    .option('--limit <n>', 'at most this many of the newest lines', '100')
    .option('-f, --follow', 'keep printing new lines until interrupted')
    .option('--interval-ms <ms>', 'how often --follow asks for new lines', '1000')
    .option('--json', 'one JSON object a line')
    .action(async (o: LogsOptions, command: Command) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500)
        throw new CliError('cli:input.invalid-limit', '--limit must be between 1 and 500');
      if (!(Number(o.intervalMs) >= 100))
        throw new CliError('cli:input.invalid-interval', '--interval-ms must be at least 100');
      const client = await clientOf(command);
      const filter = {
        ...(o.level ? { level: o.level.toUpperCase() } : {}),
        ...(o.grep ? { text: o.grep } : {}),
        ...(o.since ? { from: sinceOf(o.since) } : {}),
      };
      const vars = { t: o.tenant, d: o.device, f: filter };
      const { deviceLogs } = await client.request<{ deviceLogs: { nodes: Line[] } }>(LOGS, {
        ...vars,
        first: limit,
      });
      const lines = [...deviceLogs.nodes].reverse();
      for (const line of lines) show(line, o.json ?? false);
      if (o.follow) await follow(client, vars, o, lines.at(-1)?.id ?? '0');
    });
}
