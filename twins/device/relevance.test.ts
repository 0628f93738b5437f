import { describe, expect, it } from 'vitest';
import type { DeviceCommand } from './commands';
import { noticeReasons, type TwinInterest } from './relevance';
import type { DeviceTwinState } from './state';
import { aDevice, connect, disconnect, report, run } from './test-builders';

const INGEST = { offlineGraceMs: 0, activateOnConnect: false };

/** The reasons the ingest path finds for these commands, applied to `start` as it applies them. */
function reasonsFor(start: DeviceTwinState, commands: DeviceCommand[], interest?: TwinInterest) {
  const { state, events, rejections } = run(commands, start, INGEST);
  expect(rejections).toEqual([]);
  return noticeReasons(start, state, events, interest);
}

const online = () => run([connect('s1')], aDevice(), INGEST).state;

describe('what a twin must hear of an ingest change', () => {
  it('nothing of a plain report, a reconnect or a disconnect', () => {
    const device = online();
    expect(reasonsFor(device, [report('s1', 2, { temperature: 21 })])).toEqual([]);
    expect(reasonsFor(device, [disconnect('s1', 5)])).toEqual([]);
    const gone = run([disconnect('s1', 5)], device, INGEST).state;
    expect(reasonsFor(gone, [connect('s2', 6)])).toEqual([]);
  });

  it('the first connection of a provisioned device, and never activates it itself', () => {
    const fresh = aDevice({ lifecycleState: 'provisioned' });
    const { state, events } = run([connect('s1')], fresh, INGEST);
    expect(events.map((e) => e.type)).toEqual(['connected']);
    expect(state.lifecycle.state).toBe('provisioned');
    expect(noticeReasons(fresh, state, events)).toContain('activation');
  });

  it('new firmware or model, and a connect while commands wait', () => {
    const device = online();
    const gone = run([disconnect('s1', 5)], device, INGEST).state;
    const upgrade: DeviceCommand = { ...connect('s2', 6), firmware: '2.0.0' } as DeviceCommand;
    expect(reasonsFor(gone, [upgrade])).toEqual(['firmware']);
    const waiting = run(
      [
        {
          type: 'queue-command',
          at: device.updatedAt!,
          actor: 'op',
          id: 'c1',
          name: 'reboot',
          params: {},
          ttlMs: 60_000,
        },
      ],
      gone,
    ).state;
    expect(reasonsFor(waiting, [connect('s2', 6)])).toEqual(['commands']);
  });

  it('a status change of a bound device, not a report of one', () => {
    const bound = {
      ...online(),
      binding: { assetId: 'bay-1', siteId: null, customerId: null, since: '2026-01-01T00:00:00Z' },
    };
    expect(reasonsFor(bound, [disconnect('s1', 5)])).toEqual(['status']);
    expect(reasonsFor(bound, [report('s1', 2, { temperature: 21 })])).toEqual([]);
  });

  it('declared fields and threshold crossings, not other changes', () => {
    const interest: TwinInterest = {
      fields: ['status'],
      thresholds: [{ field: 'temperature', above: 30 }],
    };
    const device = run(
      [report('s1', 2, { temperature: 20, status: 'ok' })],
      online(),
      INGEST,
    ).state;
    expect(reasonsFor(device, [report('s1', 3, { temperature: 25 })], interest)).toEqual([]);
    expect(reasonsFor(device, [report('s1', 3, { status: 'faulted' })], interest)).toEqual([
      'field:status',
    ]);
    expect(reasonsFor(device, [report('s1', 3, { temperature: 35 })], interest)).toEqual([
      'threshold:temperature',
    ]);
    const hot = run([report('s1', 3, { temperature: 35 })], device, INGEST).state;
    expect(reasonsFor(hot, [report('s1', 4, { temperature: 36 })], interest)).toEqual([]);
  });

  it('the twin notes declared fields once, on the record as it is when it looks', () => {
    const faulted = run(
      [report('s1', 2, { status: 'faulted', temperature: 20 })],
      online(),
      INGEST,
    ).state;
    const observe: DeviceCommand = {
      type: 'observe',
      at: faulted.updatedAt!,
      reasons: ['field:status', 'threshold:temperature'],
    };
    const first = run([observe], faulted);
    expect(first.events).toEqual([
      { type: 'noted', at: faulted.updatedAt, fields: { status: 'faulted', temperature: 20 } },
    ]);
    // The same notice again (a retry, a coalesced duplicate) changes nothing.
    expect(run([observe], first.state).events).toEqual([]);
  });
});
