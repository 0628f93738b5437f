import { describe, expect, it } from 'vitest';
import type { JsonObject } from './json';
import type { Meta } from './state';
import { aShadow, applied, T0, T1 } from './test-support';
import { updateDesired } from './update';

describe('shadow metadata timestamps', () => {
  const start = { led: { color: 'red', level: 3 }, fan: 1, modes: [1] };
  const startMeta: Meta = {
    led: { color: { timestamp: T0 }, level: { timestamp: T0 } },
    fan: { timestamp: T0 },
    modes: { timestamp: T0 },
  };

  it('stamps every leaf with the time it was set', () => {
    expect(aShadow({ desired: start }).metadata).toEqual({ desired: startMeta, reported: {} });
  });

  it.each<{ name: string; patch: JsonObject; want: Meta }>([
    {
      name: 'unchanged values keep their timestamps',
      patch: { led: { color: 'red' }, fan: 1, modes: [1] },
      want: startMeta,
    },
    {
      name: 'a changed leaf gets the new time, its sibling keeps the old one',
      patch: { led: { color: 'red', level: 5 } },
      want: { ...startMeta, led: { color: { timestamp: T0 }, level: { timestamp: T1 } } },
    },
    {
      name: 'an array is one leaf with one timestamp',
      patch: { modes: [1, 2] },
      want: { ...startMeta, modes: { timestamp: T1 } },
    },
    {
      name: 'a deleted key loses its metadata',
      patch: { fan: null },
      want: { led: startMeta.led!, modes: { timestamp: T0 } },
    },
    {
      name: 'a parent emptied by deletes loses its metadata',
      patch: { led: { color: null, level: null } },
      want: { fan: { timestamp: T0 }, modes: { timestamp: T0 } },
    },
    {
      name: 'an object replacing a scalar gets per-leaf metadata',
      patch: { fan: { speed: 2 } },
      want: { ...startMeta, fan: { speed: { timestamp: T1 } } },
    },
    {
      name: 'a scalar replacing an object gets a leaf timestamp',
      patch: { led: 'off' },
      want: { ...startMeta, led: { timestamp: T1 } },
    },
  ])('$name', ({ patch, want }) => {
    const out = applied(updateDesired(aShadow({ desired: start }), patch, { at: T1 }));
    expect(out.shadow.metadata.desired).toEqual(want);
  });

  it('tells a document key named timestamp from a metadata leaf', () => {
    const before = aShadow({ desired: { clock: { timestamp: 5 } } });
    const out = applied(updateDesired(before, { clock: { zone: 'UTC' } }, { at: T1 }));
    expect(out.shadow.metadata.desired).toEqual({
      clock: { timestamp: { timestamp: T0 }, zone: { timestamp: T1 } },
    });
  });
});
