import { Option, type Command } from 'commander';
import { clientOf } from '../api-client';
import { DEVICE_COLUMNS, deviceRow, listDevices } from './devices';
import { emit, type Format } from './output';
import { registerLedger } from './ledger';
import { readAllPages } from './pages';
import { SESSION_COLUMNS, SESSION_RECORDS, sessionRow } from './session-records';

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

interface SessionExportOptions extends ExportOptions {
  site?: string;
  from?: string;
  to?: string;
}

const exportFormat = () =>
  new Option('--format <format>', 'json or csv').choices(['json', 'csv']).default('csv');

/** `doppel export devices | audit | sessions`: a tenant's records as CSV or JSON, every page. */
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
  exporting
    .command('sessions')
    .description(
      'Charging session records (CDRs) in the order they were written, per site and period.',
    )
    .requiredOption('--tenant <id>', 'tenant')
    .option('--site <id>', 'only sessions of this site')
    .option('--from <iso>', 'stopped at or after (ISO 8601)')
    .option('--to <iso>', 'stopped before (ISO 8601)')
    .addOption(exportFormat())
    .option('--out <file>', 'write to this file (never overwritten)')
    .action(async (o: SessionExportOptions, command: Command) => {
      const filter = { siteId: o.site ?? null, from: o.from ?? null, to: o.to ?? null };
      const rows = await readAllPages<Record<string, any>>(
        await clientOf(command),
        SESSION_RECORDS,
        { t: o.tenant, filter },
        (data) => data.sessionRecords,
        { label: 'session records', pageSize: 200 },
      );
      if (o.format === 'json') emit(rows, SESSION_COLUMNS, 'json', o.out);
      else
        emit(
          rows.map((r) => sessionRow(r as any)),
          SESSION_COLUMNS,
          'csv',
          o.out,
        );
    });
}
