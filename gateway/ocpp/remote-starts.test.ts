import { describe, expect, it } from 'vitest';
import { RemoteStarts } from './remote-starts';

describe('idTags of server-started transactions', () => {
  it('finds the idTag of either version’s start call, and of no other call', () => {
    expect(RemoteStarts.idTagOf('RemoteStartTransaction', { connectorId: 1, idTag: 'T1' })).toBe(
      'T1',
    );
    expect(
      RemoteStarts.idTagOf('RequestStartTransaction', {
        remoteStartId: 1,
        idToken: { idToken: 'T2', type: 'Central' },
      }),
    ).toBe('T2');
    expect(RemoteStarts.idTagOf('UnlockConnector', { idTag: 'T3' })).toBeNull();
  });

  it('remembers an idTag in any case for 10 minutes, and forgets it when told', () => {
    let now = 0;
    const starts = new RemoteStarts(() => now);
    starts.remember('app-1');
    starts.remember('app-2');
    expect(starts.has('APP-1')).toBe(true);
    starts.forget('APP-2');
    expect(starts.has('app-2')).toBe(false);
    now = 10 * 60_000 - 1;
    expect(starts.has('app-1')).toBe(true);
    now = 10 * 60_000;
    expect(starts.has('app-1')).toBe(false);
  });
});
