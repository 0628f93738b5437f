import { describe, expect, it } from 'vitest';
import { BULK_LIMITS } from '../../../twins/provisioning/bulk-rows';
import { readBulkFile } from './bulk-file';

const csv = (...lines: string[]) => lines.join('\n');

describe('bulk provisioning files', () => {
  it('reads a CSV with every column, defaults filling what a row leaves empty', () => {
    const read = readBulkFile(
      'csv',
      csv(
        'serial,model,method,claimToken,assetId,tags,desired,expectModel,expectFirmware,expectReported,activationTimeoutS',
        'SN-1,wb-x,credentials,,bay-1,a;b ; c,"{""config"":{""interval"":60}}",wb-x,2.0,"{""config.interval"":60}",3600',
        '',
        'SN-2,,CLAIM,printed-on-box-0123456789,,,,,,,',
      ),
      { model: 'wb-default', tags: ['batch-7'], expect: { firmware: '1.0' } },
    );
    expect(read).toEqual({
      rows: [
        {
          line: 2,
          request: expect.objectContaining({
            serial: 'SN-1',
            model: 'wb-x',
            method: 'credentials',
            assetId: 'bay-1',
            tags: ['a', 'b', 'c'],
            desired: { config: { interval: 60 } },
            expect: { model: 'wb-x', firmware: '2.0', reported: { 'config.interval': 60 } },
            activationTimeoutS: 3600,
          }),
        },
        {
          line: 4,
          request: expect.objectContaining({
            serial: 'SN-2',
            model: 'wb-default',
            method: 'claim',
            claimToken: 'printed-on-box-0123456789',
            tags: ['batch-7'],
            expect: { firmware: '1.0' },
            activationTimeoutS: 604_800,
          }),
        },
      ],
    });
  });

  it('names every bad row by its line, duplicates included, and accepts nothing', () => {
    const read = readBulkFile(
      'csv',
      csv(
        'Serial,method,desired,activationTimeoutS',
        'SN-1,credentials,,',
        'bad/serial,credentials,,',
        'SN-3,teleport,,',
        'SN-4,,{not json},soon',
        'SN-1,claim,,',
        'SN-6,credentials',
      ),
    );
    expect(read).toMatchObject({ code: 'provisioning:bulk.invalid', errorCount: 5 });
    if (!('errors' in read)) throw new Error('expected errors');
    expect(read.errors.map((e) => [e.line, e.serial])).toEqual([
      [3, 'bad/serial'],
      [4, 'SN-3'],
      [5, 'SN-4'],
      [6, 'SN-1'],
      [7, 'SN-6'],
    ]);
    expect(read.errors[0]!.reason).toMatch(/^serial: /);
    expect(read.errors[1]!.reason).toMatch(/^method: /);
    expect(read.errors[2]!.reason).toBe(
      'desired: not valid JSON (write it like {"config":{"interval":60}}, quotes doubled); activationTimeoutS: "soon" is not a whole number',
    );
    expect(read.errors[3]!.reason).toBe('serial SN-1 is also on line 2');
    expect(read.errors[4]!.reason).toBe('2 cells where the header has 4 columns');
    expect(read.message).toContain('line 6: serial SN-1 is also on line 2');
  });

  it('refuses an unknown column, a broken quote, and files past the limits', () => {
    expect(readBulkFile('csv', csv('serial,colour', 'SN-1,red'))).toMatchObject({
      code: 'provisioning:bulk.invalid',
      errors: [{ line: 1, reason: expect.stringContaining('unknown column "colour"') }],
    });
    expect(readBulkFile('csv', csv('serial', '"SN-1'))).toMatchObject({
      code: 'provisioning:bulk.unreadable',
    });
    expect(readBulkFile('csv', 'serial\n')).toMatchObject({ code: 'provisioning:bulk.empty' });
    const many = ['serial', ...Array.from({ length: BULK_LIMITS.rows + 1 }, (_, i) => `SN-${i}`)];
    expect(readBulkFile('csv', csv(...many))).toMatchObject({
      code: 'provisioning:bulk.too-many-rows',
    });
    expect(readBulkFile('csv', 'x'.repeat(BULK_LIMITS.chars + 1))).toMatchObject({
      code: 'provisioning:bulk.too-large',
    });
    expect(readBulkFile('csv', csv('serial', 'SN-1'), { assetId: 'bay-1' })).toMatchObject({
      code: 'provisioning:bulk.defaults-invalid',
    });
  });

  it('lists the first errors and counts the rest', () => {
    const bad = ['serial', ...Array.from({ length: 150 }, (_, i) => `bad/${i}`)];
    const read = readBulkFile('csv', csv(...bad));
    expect(read).toMatchObject({ errorCount: 150 });
    if (!('errors' in read)) throw new Error('expected errors');
    expect(read.errors).toHaveLength(BULK_LIMITS.listedErrors);
    expect(read.message).toContain('… and 50 more');
  });

  it('reads a JSON array shaped like ProvisionDeviceInput, bad items named by position', () => {
    const ok = readBulkFile(
      'json',
      JSON.stringify([
        { serial: 'SN-1', method: 'CLAIM', expect: { firmware: '2.0', model: null }, tags: null },
        { serial: 'SN-2' },
      ]),
      { expect: { model: 'wb-x' } },
    );
    expect(ok).toMatchObject({
      rows: [
        { line: 1, request: { method: 'claim', expect: { model: 'wb-x', firmware: '2.0' } } },
        { line: 2, request: { method: 'credentials', expect: { model: 'wb-x' } } },
      ],
    });
    const bad = readBulkFile(
      'json',
      JSON.stringify([{ serial: 'SN-1', tenantId: 'acme' }, 7, { serial: 'SN-1' }]),
    );
    expect(bad).toMatchObject({ code: 'provisioning:bulk.invalid', errorCount: 3 });
    if (!('message' in bad)) throw new Error('expected errors');
    expect(bad.message).toContain('item 2: not an object');
    expect(bad.message).toContain('item 3: serial SN-1 is also on item 1');
    expect(readBulkFile('json', '{"serial":"SN-1"}')).toMatchObject({
      code: 'provisioning:bulk.unreadable',
    });
  });
});
