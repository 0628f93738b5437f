import { describe, expect, it } from 'vitest';
import type { DeviceCommand } from './commands';
import { aDevice, at, run } from './test-builders';

const setTags = (tags: string[]): DeviceCommand => ({
  type: 'set-tags',
  at: at(60),
  actor: 'ops',
  tags,
});

describe('device tags', () => {
  it.each([
    { tags: ['b', ' a ', 'b'], want: ['a', 'b'], refused: [] },
    { tags: [], want: [], refused: [] },
    { tags: ['fleet:north', 'rev/2'], want: ['fleet:north', 'rev/2'], refused: [] },
    { tags: ['has space'], want: [], refused: ['twin:device.invalid-tag'] },
    { tags: [''], want: [], refused: ['twin:device.invalid-tag'] },
    {
      tags: Array.from({ length: 33 }, (_, i) => `t${i}`),
      want: [],
      refused: ['twin:device.too-many-tags'],
    },
  ])('$tags → $want $refused', ({ tags, want, refused }) => {
    const { state, rejections } = run([setTags(tags)], aDevice());
    expect(rejections).toEqual(refused);
    expect(state.tags).toEqual(want);
  });

  it('setting the same tags again records nothing', () => {
    const tagged = run([setTags(['a'])], aDevice()).state;
    expect(run([setTags(['a', 'a'])], tagged).events).toEqual([]);
  });
});
