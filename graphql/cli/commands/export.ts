import { Option, type Command } from 'commander';
import { clientOf } from '../api-client';
import { DEVICE_COLUMNS, deviceRow, listDevices } from './devices';
import { emit, type Format } from './output';
import { registerLedger } from './ledger';
import { readAllPages } from './pages';

const AUDIT = `query ($t: ID!, $first: Int, $after: String) {
  auditEntries(tenantId: $t, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id at actor role operation subject reason before after outcome input } } }`;

const AUDIT_COLUMNS = [
  'id',
  'at',
  'actor',
  'role',
  'operation',
  'subject',
  'reason',
  'before',
  'after',
  'outcome',
  'input',
];

interface ExportOptions {
  tenant: string;
  format: Exclude<Format, 'table'>;
  out?: string;
}

const exportFormat = () =>
  new Option('--format <format>', 'json or csv').choices(['json', 'csv']).default('csv');

/** `doppel export devices | audit`: a tenant's records as CSV or JSON, every page. */
export function registerExport(program: Command): void {
  const exporting = program.command('export').description("Export a tenant's records.");
  registerLedger(program, exporting);
  exporting
    .command('devices')
    .description('Every device twin of the tenant, one row each.')
    .requiredOption('--tenant <id>', 'tenant')
    .addOption(exportFormat())
    .option('--out <file>', 'write to this file (never overwritten)')
    .action(async (o: ExportOptions, command: Command) => {
      const rows = await listDevices(command, { ...o, format: o.format });
      emit(rows.map(deviceRow), DEVICE_COLUMNS, o.format, o.out);
    });
  exporting
    .command('audit')
    .description('The audit trail of API mutations, newest first (tenant-admin).')
    .requiredOption('--tenant <id>', 'tenant')
    .addOption(exportFormat())
    .option('--out <file>', 'write to this file (never overwritten)')
    .action(async (o: ExportOptions, command: Command) => {
      const rows = await readAllPages<Record<string, unknown>>(
        await clientOf(command),
        AUDIT,
        { t: o.tenant },
        (data) => data.auditEntries,
        { label: 'audit entries', pageSize: 100 },
      );
      emit(rows, AUDIT_COLUMNS, o.format, o.out);
    });
}
