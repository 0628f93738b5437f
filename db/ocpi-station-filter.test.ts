import { describe, expect, it } from 'vitest';
import { ocpiPartySees } from './ocpi-station-filter';

// The in-process test of the filter, for callers holding a station already (Sessions, CDRs);
// the SQL one is exercised against the eMSP in test/ocpi-routing.test.ts.
describe('ocpiPartySees', () => {
  const ac = { deviceId: 'cp-1', model: 'AC-22' };
  const unknownModel = { deviceId: 'cp-2', model: null };

  it('lets a party without OCPI backends see every station, even an EVSE without one', () => {
    expect(ocpiPartySees(null, ac)).toBe(true);
    expect(ocpiPartySees(null, null)).toBe(true);
  });

  it('lets a narrowed party see a station any of its matches takes, and nothing else', () => {
    const filter = [{ models: ['DC-50'] }, { devices: ['cp-1'] }];
    expect(ocpiPartySees(filter, ac)).toBe(true);
    expect(ocpiPartySees(filter, { deviceId: 'cp-3', model: 'DC-50' })).toBe(true);
    expect(ocpiPartySees(filter, unknownModel)).toBe(false);
    expect(ocpiPartySees(filter, null)).toBe(false);
    expect(ocpiPartySees([{ models: ['AC-22'], devices: ['cp-9'] }], ac)).toBe(false);
    expect(ocpiPartySees([{}], unknownModel)).toBe(true);
  });
});
