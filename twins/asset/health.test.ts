import { describe, expect, it } from 'vitest';
import type { DeviceStatus } from './device-status';
import { assetHealth } from './health';
import { aStatus } from './test-builders';

const bound = { deviceId: 'c-17', since: '2026-01-01T00:00:00.000Z' };

describe('asset health', () => {
  it.each([
    { name: 'not created', version: 0, device: bound, status: aStatus(), want: 'unknown' },
    { name: 'no device bound', version: 2, device: null, status: aStatus(), want: 'down' },
    { name: 'bound, no status yet', version: 2, device: bound, status: null, want: 'unknown' },
    { name: 'active and online', version: 2, device: bound, status: aStatus(), want: 'ok' },
    {
      name: 'connection lost, in the grace period',
      version: 2,
      device: bound,
      status: aStatus({ connectionLost: true }),
      want: 'degraded',
    },
    {
      name: 'in maintenance and online',
      version: 2,
      device: bound,
      status: aStatus({ lifecycle: 'maintenance' }),
      want: 'degraded',
    },
    {
      name: 'in maintenance and offline',
      version: 2,
      device: bound,
      status: aStatus({ lifecycle: 'maintenance', connectivity: 'offline' }),
      want: 'down',
    },
    {
      name: 'offline',
      version: 2,
      device: bound,
      status: aStatus({ connectivity: 'offline' }),
      want: 'down',
    },
    {
      name: 'inactive',
      version: 2,
      device: bound,
      status: aStatus({ lifecycle: 'inactive' }),
      want: 'down',
    },
    {
      name: 'retired',
      version: 2,
      device: bound,
      status: aStatus({ lifecycle: 'retired', connectivity: 'offline' }),
      want: 'down',
    },
    {
      name: 'replaced while still online',
      version: 2,
      device: bound,
      status: aStatus({ lifecycle: 'replaced' }),
      want: 'down',
    },
    {
      name: 'provisioned, never connected',
      version: 2,
      device: bound,
      status: aStatus({ lifecycle: 'provisioned', connectivity: 'unknown' }),
      want: 'unknown',
    },
  ] as const)('$name → $want', ({ version, device, status, want }) => {
    const deviceStatus: Record<string, DeviceStatus> = status ? { 'c-17': status } : {};
    expect(assetHealth({ version, device, deviceStatus })).toBe(want);
  });

  it('looks only at the bound device', () => {
    const deviceStatus = {
      'c-17': aStatus(),
      'c-18': aStatus({ deviceId: 'c-18', connectivity: 'offline' }),
    };
    expect(assetHealth({ version: 3, device: bound, deviceStatus })).toBe('ok');
  });
});
