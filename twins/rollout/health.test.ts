import { describe, expect, it } from 'vitest';
import { healthGateSchema, judgeHealth, type GroupFigures } from './health';

const gate = healthGateSchema.parse({ bakeSeconds: 600 });
const group = (over: Partial<GroupFigures> = {}): GroupFigures => ({
  devices: 10,
  alarms: 0,
  reconnects: 0,
  sessions: 0,
  failedSessions: 0,
  ...over,
});
const judged = (updated: Partial<GroupFigures>, baseline: Partial<GroupFigures> = {}) =>
  judgeHealth(1, { updated: group(updated), baseline: group(baseline), newFingerprints: [] }, gate);

describe('health gate verdicts', () => {
  it('has the documented defaults', () => {
    expect(gate).toEqual({
      bakeSeconds: 600,
      maxAlarmRatio: 1.5,
      maxNewFingerprints: 0,
      maxReconnectRatio: 2,
      maxFailedSessionRatio: 1.5,
      minDevices: 1,
    });
  });

  it('passes when the updated devices do no worse than the limits', () => {
    const verdict = judged({ alarms: 3, reconnects: 4 }, { alarms: 2, reconnects: 2 });
    expect(verdict).toMatchObject({ verdict: 'passed', reason: null });
    expect(verdict.checks.find((c) => c.metric === 'alarmsPerDevice')).toMatchObject({
      ratio: 1.5,
      broken: false,
    });
  });

  it('fails on a ratio above its limit, or on any figure where the others have none', () => {
    expect(judged({ reconnects: 5 }, { reconnects: 2 }).reason).toBe(
      'health gate after wave 1: reconnects per device 0.5 on 10 updated vs 0.2 on 10 not yet updated (ratio 2.5, limit 2)',
    );
    expect(judged({ alarms: 1 }).checks[0]).toMatchObject({ ratio: 'infinite', broken: true });
  });

  it('judges failed charging sessions as a share of sessions, only where the updated devices had some', () => {
    expect(judged({}, { sessions: 4, failedSessions: 4 }).checks[3]).toMatchObject({
      broken: false,
      note: 'no sessions on updated devices',
    });
    expect(
      judged({ sessions: 10, failedSessions: 5 }, { sessions: 10, failedSessions: 2 }).checks[3],
    ).toMatchObject({ ratio: 2.5, broken: true, updated: { rate: 0.5 }, baseline: { rate: 0.2 } });
    expect(
      judged({ sessions: 10, failedSessions: 5 }, { sessions: 10, failedSessions: 2 }).reason,
    ).toBe(
      'health gate after wave 1: failed charging sessions 5 of 10 sessions on updated vs 2 of 10 sessions on not yet updated (ratio 2.5, limit 1.5)',
    );
  });

  it('is inconclusive with fewer updated devices than minDevices; compares nothing without others', () => {
    expect(judged({ devices: 0 }).verdict).toBe('inconclusive');
    const alone = judged({ alarms: 9 }, { devices: 0 });
    expect(alone.verdict).toBe('passed');
    expect(alone.checks[0]).toMatchObject({ note: 'too few devices not yet updated' });
  });
});
