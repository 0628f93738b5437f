import { describe, expect, it } from 'vitest';
import { accepted, desiredCalls, reportOf } from './desired-calls';

describe('desiredCalls', () => {
  it('makes one ChangeConfiguration per changed 1.6 key, values as text, deletions skipped', () => {
    const { calls } = desiredCalls('ocpp1.6', {
      HeartbeatInterval: 60,
      AuthorizeRemoteTxRequests: true,
      Gone: null,
      vendor: { Mode: 'eco' },
    });
    expect(calls.map((c) => c.payload)).toEqual([
      { key: 'HeartbeatInterval', value: '60' },
      { key: 'AuthorizeRemoteTxRequests', value: 'true' },
      { key: 'vendor.Mode', value: 'eco' },
    ]);
  });

  it('makes one SetVariables per 2.0.1 component variable and skips keys without a component', () => {
    const { calls, skipped } = desiredCalls('ocpp2.0.1', {
      OCPPCommCtrlr: { HeartbeatInterval: 60 },
      HeartbeatInterval: 60,
    });
    expect(skipped).toEqual(['HeartbeatInterval']);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.payload).toEqual({
      setVariableData: [
        {
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'HeartbeatInterval' },
          attributeValue: '60',
        },
      ],
    });
    expect(reportOf(calls[0]!.path, 60)).toEqual({ OCPPCommCtrlr: { HeartbeatInterval: 60 } });
  });

  it('counts Accepted and RebootRequired as taken, anything else not', () => {
    expect(accepted('ChangeConfiguration', { status: 'RebootRequired' })).toBe(true);
    expect(accepted('ChangeConfiguration', { status: 'Rejected' })).toBe(false);
    expect(accepted('SetVariables', { setVariableResult: [{ attributeStatus: 'Accepted' }] })).toBe(
      true,
    );
    expect(
      accepted('SetVariables', { setVariableResult: [{ attributeStatus: 'UnknownVariable' }] }),
    ).toBe(false);
  });
});
