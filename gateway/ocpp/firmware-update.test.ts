import { describe, expect, it } from 'vitest';
import { FIRMWARE_UPDATE, firmwareUpdateParams } from '../../twins/commands/firmware-update';
import { firmwareProgressOf, stationCommand } from './firmware-update';

const params = firmwareUpdateParams(
  'ota:fw-2:1',
  { version: '2.0', url: 'https://firmware.example.com/2.0.bin' },
  '2026-01-01T00:00:00.000Z',
);

describe('the neutral firmware-update at a station', () => {
  it('becomes UpdateFirmware in each version’s form', () => {
    expect(stationCommand('ocpp1.6', FIRMWARE_UPDATE, params)).toMatchObject({
      name: 'UpdateFirmware',
      params: {
        location: 'https://firmware.example.com/2.0.bin',
        retrieveDate: '2026-01-01T00:00:00.000Z',
      },
    });
    const v201 = stationCommand('ocpp2.0.1', FIRMWARE_UPDATE, params);
    expect(v201).toMatchObject({
      name: 'UpdateFirmware',
      params: {
        requestId: params.requestId,
        firmware: {
          location: 'https://firmware.example.com/2.0.bin',
          retrieveDateTime: '2026-01-01T00:00:00.000Z',
        },
      },
    });
    expect(Number.isInteger(params.requestId)).toBe(true);
    // The same command id names the same request (a retried delivery).
    expect(firmwareUpdateParams('ota:fw-2:1', { version: '2', url: 'x' }, 'y').requestId).toBe(
      params.requestId,
    );
  });

  it('answers in neutral terms: a 2.0.1 status other than Accepted is a refusal', () => {
    const { neutral } = stationCommand('ocpp2.0.1', FIRMWARE_UPDATE, params);
    const answer = (status?: string) =>
      neutral!({ status: 'succeeded', result: status ? { status } : {} }).status;
    expect(answer()).toBe('succeeded');
    expect(answer('Accepted')).toBe('succeeded');
    expect(answer('AcceptedCanceled')).toBe('succeeded');
    expect(answer('InvalidCertificate')).toBe('rejected');
    expect(answer('Rejected')).toBe('rejected');
  });

  it('leaves the station’s own commands as they are', () => {
    expect(stationCommand('ocpp1.6', 'Reset', { type: 'Soft' })).toEqual({
      name: 'Reset',
      params: { type: 'Soft' },
    });
  });

  it('maps FirmwareStatusNotification statuses of both versions to neutral progress', () => {
    const seen = Object.fromEntries(
      [
        'Downloading',
        'DownloadScheduled',
        'Downloaded',
        'SignatureVerified',
        'Installing',
        'InstallRebooting',
        'Installed',
        'DownloadFailed',
        'InstallationFailed',
        'InstallVerificationFailed',
        'InvalidSignature',
        'Idle',
      ].map((s) => [s, firmwareProgressOf(s)]),
    );
    expect(seen).toEqual({
      Downloading: 'downloading',
      DownloadScheduled: 'downloading',
      Downloaded: 'downloaded',
      SignatureVerified: 'downloaded',
      Installing: 'installing',
      InstallRebooting: 'installing',
      Installed: 'installed',
      DownloadFailed: 'failed',
      InstallationFailed: 'failed',
      InstallVerificationFailed: 'failed',
      InvalidSignature: 'failed',
      Idle: 'idle',
    });
  });
});
