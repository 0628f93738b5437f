import { Option, type Command } from 'commander';
import { CliError, clientOf } from '../api-client';
import { emit, type Format } from './output';
import { readAllPages } from './pages';

const LIST = `query ($t: ID!, $f: DeviceFilter, $first: Int, $after: String) {
  devices(tenantId: $t, filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { deviceId model firmware tags lifecycle { state } connectivity { status since }
      asset { assetId } site { siteId } version updatedAt } } }`;

const INSPECT = `query ($t: ID!, $d: ID!) { device(tenantId: $t, deviceId: $d) {
  deviceId workflowId model firmware tags version updatedAt
  lifecycle { state actor reason at }
  connectivity { status reason since offlineAfter }
  asset { assetId name } site { siteId name } customer { customerId name }
  reported desired delta flagged { field code }
  lifecycleHistory { from to at actor reason effects version }
  commands { id name status actor queuedAt completedAt } } }`;

interface ListOptions {
  tenant: string;
  lifecycle?: string[];
  online?: boolean;
  model?: string;
  firmware?: string;
  site?: string;
  asset?: string;
  tag?: string;
  limit?: string;
  format: Format;
  out?: string;
}

export const DEVICE_COLUMNS = [
  'deviceId',
  'lifecycle',
  'connectivity',
  'since',
  'model',
  'firmware',
  'site',
  'asset',
  'tags',
  'version',
];

/** A device row as the listing and the export show it. */
export const deviceRow = (d: any) => ({
  deviceId: d.deviceId,
  lifecycle: d.lifecycle.state,
  connectivity: d.connectivity.status,
  since: d.connectivity.since,
  model: d.model,
  firmware: d.firmware,
  site: d.site?.siteId ?? null,
  asset: d.asset?.assetId ?? null,
  tags: d.tags.join(' '),
  version: d.version,
});

function filterOf(o: ListOptions) {
  return {
    ...(o.lifecycle ? { lifecycle: o.lifecycle.map((s) => s.toUpperCase()) } : {}),
    ...(o.online !== undefined ? { online: o.online } : {}),
    ...(o.model ? { model: o.model } : {}),
    ...(o.firmware ? { firmware: o.firmware } : {}),
    ...(o.site ? { siteId: o.site } : {}),
    ...(o.asset ? { assetId: o.asset } : {}),
    ...(o.tag ? { tag: o.tag } : {}),
  };
}

export async function listDevices(command: Command, o: ListOptions) {
  const limit = o.limit === undefined ? undefined : Number(o.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    throw new CliError('cli:input.invalid-limit', `--limit must be a positive whole number`);
  return readAllPages(
    await clientOf(command),
    LIST,
    { t: o.tenant, f: filterOf(o) },
    (data) => data.devices,
    { label: 'devices', ...(limit ? { limit } : {}) },
  );
}

const formatOption = () =>
  new Option('--format <format>', 'table, json or csv')
    .choices(['table', 'json', 'csv'])
    .default('table');

/** `doppel devices list | inspect`. */
export function registerDevices(program: Command): void {
  const devices = program.command('devices').description('List and inspect device twins.');
  devices
    .command('list')
    .description('The devices of a tenant, filtered, every page.')
    .requiredOption('--tenant <id>', 'tenant')
    .option('--lifecycle <states...>', 'any of these states (active, maintenance, …)')
    .option('--online', 'online devices only')
    .option('--offline', 'offline devices only')
    .option('--model <model>')
    .option('--firmware <version>')
    .option('--site <siteId>')
    .option('--asset <assetId>')
    .option('--tag <tag>')
    .option('--limit <n>', 'at most this many')
    .addOption(formatOption())
    .option('--out <file>', 'write to this file (never overwritten) instead of standard output')
    .action(async (o: ListOptions & { offline?: boolean }, command: Command) => {
      if (o.online && o.offline)
        throw new CliError('cli:input.conflict', '--online and --offline exclude each other');
      const rows = await listDevices(command, { ...o, ...(o.offline ? { online: false } : {}) });
      emit(rows.map(deviceRow), DEVICE_COLUMNS, o.format, o.out);
    });
  devices
    .command('inspect <deviceId>')
    .description('One twin: lifecycle and its history, connectivity, shadow, commands.')
    .requiredOption('--tenant <id>', 'tenant')
    .option('--json', 'the whole twin as JSON')
    .action(async (deviceId: string, o: { tenant: string; json?: boolean }, command: Command) => {
      const { device } = await (
        await clientOf(command)
      ).request<{ device: any }>(INSPECT, { t: o.tenant, d: deviceId });
      if (!device)
        throw new CliError('twin:device.not-found', `no device ${deviceId} in tenant ${o.tenant}`);
      if (o.json) {
        process.stdout.write(`${JSON.stringify(device, null, 2)}\n`);
        return;
      }
      const lines = [
        `${device.deviceId}  ${device.lifecycle.state}  ${device.connectivity.status}${device.connectivity.reason ? ` (${device.connectivity.reason})` : ''}  version ${device.version}`,
        `  model ${device.model ?? '-'}  firmware ${device.firmware ?? '-'}  tags ${device.tags.join(' ') || '-'}`,
        `  where ${device.customer?.customerId ?? '-'} / ${device.site?.siteId ?? '-'} / ${device.asset?.assetId ?? '-'}`,
        `  Temporal workflow ${device.workflowId}`,
        `  reported ${JSON.stringify(device.reported)}`,
        `  desired  ${JSON.stringify(device.desired)}  delta ${JSON.stringify(device.delta)}`,
        '  lifecycle history:',
        ...device.lifecycleHistory.map(
          (c: any) =>
            `    v${c.version} ${c.at} ${c.from} → ${c.to} by ${c.actor}: ${c.reason}${c.effects.length ? ` [${c.effects.join(', ')}]` : ''}`,
        ),
        '  commands:',
        ...(device.commands.length
          ? device.commands.map(
              (c: any) => `    ${c.id} ${c.name} ${c.status} by ${c.actor} at ${c.queuedAt}`,
            )
          : ['    (none)']),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
