import { describe, expect, it } from 'vitest';
import { aStatus, at, bind, create, run, status, unbind } from './test-builders';

describe('asset twin: creation and attributes', () => {
  it('records the asset where it stands, without null attributes and with tags as a set', () => {
    const { state, events } = run([
      create({ attributes: { ratedKw: 22, note: null }, tags: ['ac', ' north ', 'ac', ''] }),
    ]);
    expect(events.map((e) => e.type)).toEqual(['created']);
    expect(state).toMatchObject({
      name: 'Bay 3',
      kind: 'charger-bay',
      siteId: 'depot-north',
      customerId: 'fleetco',
      attributes: { ratedKw: 22 },
      tags: ['ac', 'north'],
      createdAt: at(0),
      health: 'down',
      version: 1,
    });
  });

  it('merges an attributes patch and records only what changed', () => {
    const setAttributes = (attributes: unknown, extra = {}) =>
      ({ type: 'set-attributes', at: at(5), actor: 'api', attributes, ...extra }) as const;
    const { state, events } = run([
      create({ attributes: { ratedKw: 22, bay: { number: 3, floor: 1 } } }),
      setAttributes({ ratedKw: 11, bay: { floor: null } }),
      setAttributes({ ratedKw: 11 }, { name: 'Bay 3', tags: [] }),
      setAttributes({}, { name: 'Bay 3A', tags: ['dc'] }),
    ]);
    expect(state.attributes).toEqual({ ratedKw: 11, bay: { number: 3 } });
    expect(state).toMatchObject({ name: 'Bay 3A', tags: ['dc'], version: 3 });
    expect(events[1]).toMatchObject({
      changes: { ratedKw: 11, bay: { floor: null } },
      name: null,
      tags: null,
    });
  });

  it.each([
    {
      name: 'a second creation',
      commands: [create(), create()],
      code: 'twin:asset.already-exists',
    },
    { name: 'a blank name', commands: [create({ name: '  ' })], code: 'twin:asset.name-required' },
    {
      name: 'attributes that are not an object',
      commands: [create({ attributes: [1, 2] })],
      code: 'twin:shadow.invalid-patch',
    },
    { name: 'binding before creation', commands: [bind('c-17')], code: 'twin:asset.not-found' },
    {
      name: 'renaming to a blank name',
      commands: [create(), { type: 'set-attributes', at: at(1), actor: 'api', name: '' } as const],
      code: 'twin:asset.name-required',
    },
  ])('refuses $name', ({ commands, code }) => {
    expect(run(commands).rejections).toEqual([code]);
  });
});

describe('asset twin: binding devices', () => {
  it.each([
    {
      name: 'binds a device with the status the device twin gave',
      commands: [create(), bind('c-17', 1, aStatus())],
      want: { device: 'c-17', health: 'ok', rejections: [], kinds: ['device-bound'] },
    },
    {
      name: 'a repeated bind of the same device records nothing',
      commands: [create(), bind('c-17'), bind('c-17')],
      want: { device: 'c-17', health: 'unknown', rejections: [], kinds: ['device-bound'] },
    },
    {
      name: 'refuses a second device while one is bound',
      commands: [create(), bind('c-17'), bind('c-18')],
      want: {
        device: 'c-17',
        health: 'unknown',
        rejections: ['twin:asset.already-has-device'],
        kinds: ['device-bound'],
      },
    },
    {
      name: 'replacement: unbind the old device, then bind the new one',
      commands: [create(), bind('c-17'), unbind(5), bind('c-18', 6)],
      want: {
        device: 'c-18',
        health: 'unknown',
        rejections: [],
        kinds: ['device-bound', 'device-unbound', 'device-bound'],
      },
    },
    {
      name: 'refuses to unbind when no device is bound',
      commands: [create(), unbind(5)],
      want: {
        device: null,
        health: 'down',
        rejections: ['twin:asset.device-not-bound'],
        kinds: [],
      },
    },
    {
      name: 'refuses to unbind a device that is not the bound one',
      commands: [create(), bind('c-17'), unbind(5, 'c-99')],
      want: {
        device: 'c-17',
        health: 'unknown',
        rejections: ['twin:asset.device-not-bound'],
        kinds: ['device-bound'],
      },
    },
  ])('$name', ({ commands, want }) => {
    const { state, rejections, events } = run(commands);
    expect(state.device?.deviceId ?? null).toBe(want.device);
    expect(state.health).toBe(want.health);
    expect(rejections).toEqual(want.rejections);
    expect(events.map((e) => e.type).slice(1)).toEqual(want.kinds);
  });

  it('remembers when each device was bound', () => {
    const { state } = run([create(), bind('c-17', 1), unbind(5), bind('c-18', 6)]);
    expect(state.device).toEqual({ deviceId: 'c-18', since: at(6) });
  });

  it.each([
    { name: 'a given reason, trimmed', reason: '  replaced by c-18 ', want: 'replaced by c-18' },
    { name: 'no reason', reason: undefined, want: undefined },
    { name: 'a blank reason, as none', reason: '  ', want: undefined },
  ])('records why a device was bound and unbound: $name', ({ reason, want }) => {
    const withReason = <T extends object>(cmd: T) => ({ ...cmd, ...(reason ? { reason } : {}) });
    const { events } = run([create(), withReason(bind('c-17')), withReason(unbind(5))]);
    const [bound, unbound] = events.slice(1);
    expect(bound).toMatchObject({ type: 'device-bound', deviceId: 'c-17' });
    expect(unbound).toMatchObject({ type: 'device-unbound', deviceId: 'c-17' });
    expect(bound && 'reason' in bound ? bound.reason : undefined).toBe(want);
    expect(unbound && 'reason' in unbound ? unbound.reason : undefined).toBe(want);
  });
});

describe('asset twin: device status', () => {
  it('keeps only the newest status per device', () => {
    const { state, events } = run([
      create(),
      bind('c-17'),
      status({ version: 7, connectivity: 'online' }),
      status({ version: 6, connectivity: 'offline' }),
      status({ version: 7, connectivity: 'offline' }),
    ]);
    expect(state.deviceStatus['c-17']).toMatchObject({ version: 7, connectivity: 'online' });
    expect(events.map((e) => e.type)).toEqual(['created', 'device-bound', 'device-status-changed']);
  });

  it('a bind does not replace a newer status that arrived first', () => {
    const { state } = run([
      create(),
      status({ version: 9, connectivity: 'offline' }),
      bind('c-17', 3, aStatus({ version: 8, connectivity: 'online' })),
    ]);
    expect(state.deviceStatus['c-17']).toMatchObject({ version: 9, connectivity: 'offline' });
    expect(state.health).toBe('down');
  });

  it('a former device’s status does not change the health', () => {
    const { state } = run([
      create(),
      bind('c-17', 1, aStatus()),
      unbind(2),
      bind('c-18', 3, aStatus({ deviceId: 'c-18' })),
      status({ deviceId: 'c-17', version: 20, connectivity: 'offline' }),
    ]);
    expect(state.health).toBe('ok');
    expect(state.deviceStatus['c-17']?.connectivity).toBe('offline');
  });

  it('ignores a status sent before the asset exists', () => {
    expect(run([status()]).events).toEqual([]);
  });
});
