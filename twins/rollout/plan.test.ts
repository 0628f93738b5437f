import { describe, expect, it } from 'vitest';
import { rolloutConfigSchema } from './config';
import {
  abortReason,
  eligibility,
  leftRollout,
  timeoutReason,
  updateOutcome,
  wavePlan,
  waveSizes,
  type TargetDevice,
} from './plan';

const config = rolloutConfigSchema.parse({
  id: 'fw-2',
  firmware: { version: '2.0', url: 'https://fw.example.com/2.0.bin' },
  compatibility: { fromVersions: ['1.8', '1.9'], hardwareRevisions: ['B'] },
});
const device = (over: Partial<TargetDevice> = {}): TargetDevice => ({
  deviceId: 'd1',
  lifecycle: 'active',
  online: true,
  model: 'm',
  firmware: '1.9',
  hardwareRevision: 'B',
  ...over,
});

describe('rollout planning', () => {
  it('skips maintenance, closed, up-to-date and incompatible devices with the reason', () => {
    expect(eligibility(device(), config)).toEqual({ eligible: true });
    expect(eligibility(device({ lifecycle: 'maintenance' }), config)).toEqual({
      eligible: false,
      reason: 'in maintenance',
    });
    expect(eligibility(device({ lifecycle: 'retired' }), config)).toMatchObject({
      reason: 'device is retired',
    });
    expect(eligibility(device({ firmware: '2.0' }), config)).toMatchObject({
      reason: 'already on 2.0',
    });
    expect(eligibility(device({ firmware: '1.2' }), config)).toMatchObject({
      reason: 'firmware 1.2 is not one the image installs over (1.8, 1.9)',
    });
    expect(eligibility(device({ hardwareRevision: 'A' }), config)).toMatchObject({
      reason: 'hardware revision A is not supported (B)',
    });
  });

  it('sizes constant and exponential waves to cover every device exactly once', () => {
    expect(waveSizes(250, { mode: 'constant', size: 100 })).toEqual([100, 100, 50]);
    expect(waveSizes(10, { mode: 'exponential', base: 1, factor: 2, maximum: 4 })).toEqual([
      1, 2, 4, 3,
    ]);
    expect(waveSizes(0, { mode: 'constant', size: 5 })).toEqual([]);
  });

  it('lays the waves out as positions, the canary first', () => {
    const constant = { canary: { devices: 1 }, waves: { mode: 'constant' as const, size: 2 } };
    expect(wavePlan(5, constant)).toEqual([
      { from: 0, size: 1 },
      { from: 1, size: 2 },
      { from: 3, size: 2 },
    ]);
    expect(wavePlan(0, constant)).toEqual([]);
    // Fewer targets than the canary: the canary is all of them.
    expect(wavePlan(2, { ...constant, canary: { devices: 5 } })).toEqual([{ from: 0, size: 2 }]);
    const exponential = { mode: 'exponential' as const, base: 1, factor: 2, maximum: 4 };
    expect(wavePlan(8, { canary: { devices: 2 }, waves: exponential })).toEqual([
      { from: 0, size: 2 },
      { from: 2, size: 1 },
      { from: 3, size: 2 },
      { from: 5, size: 3 },
    ]);
  });

  it('stops on a failure percentage only after enough devices finished, on a count at once', () => {
    const abort = { failurePercent: 20, minExecuted: 10 };
    expect(abortReason({ succeeded: 1, failed: 2 }, abort)).toBeNull();
    expect(abortReason({ succeeded: 7, failed: 3 }, abort)).toBe(
      '30 % of 10 devices failed (limit 20 %)',
    );
    expect(abortReason({ succeeded: 8, failed: 2 }, abort)).toBeNull();
    expect(abortReason({ succeeded: 0, failed: 1 }, { ...abort, maxFailures: 1 })).toBe(
      '1 devices failed (at most 0 allowed)',
    );
  });

  it('counts a device as updated only after it rebooted into the new version', () => {
    const since = 'session-1';
    const after = 'session-2';
    expect(
      updateOutcome('2.0', since, { firmware: '2.0', sessionId: since, answer: 'accepted' }),
    ).toBe('pending');
    expect(
      updateOutcome('2.0', since, { firmware: '1.9', sessionId: after, answer: 'accepted' }),
    ).toBe('pending');
    expect(
      updateOutcome('2.0', since, { firmware: '2.0', sessionId: after, answer: 'accepted' }),
    ).toBe('succeeded');
    expect(
      updateOutcome('2.0', since, { firmware: '1.9', sessionId: since, answer: 'rejected' }),
    ).toEqual({
      failed: 'the device answered the update command: rejected',
    });
    expect(
      timeoutReason('2.0', 60, { firmware: '1.9', sessionId: after, answer: 'accepted' }),
    ).toBe('no reboot into 2.0 within 60 s (it reports 1.9)');
    expect(timeoutReason('2.0', 60, { firmware: '1.9', sessionId: null, answer: null })).toBe(
      'the update command was not delivered within 60 s (device offline)',
    );
  });

  it('lets go of a device retired, replaced or put in maintenance while it updates', () => {
    expect(leftRollout('retired')).toBe('retired during the rollout');
    expect(leftRollout('replaced')).toBe('replaced during the rollout');
    expect(leftRollout('maintenance')).toBe('put in maintenance during the rollout');
    expect(leftRollout('active')).toBeNull();
  });
});
