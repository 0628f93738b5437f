import { describe, expect, it } from 'vitest';
import { isRejection } from '../errors';
import { SHADOW_VERSION_CONFLICT } from './codes';
import type { JsonObject } from './json';
import { emptyShadow, type Shadow, type ShadowSection } from './state';
import { aShadow, applied, T1 } from './test-support';
import { updateDesired, updateReported } from './update';

const update = { desired: updateDesired, reported: updateReported };

describe('shadow version', () => {
  it.each<{
    name: string;
    steps: [ShadowSection, JsonObject][];
    changed: boolean[];
    version: number;
  }>([
    {
      name: 'a desired change bumps it',
      steps: [['desired', { a: 1 }]],
      changed: [true],
      version: 1,
    },
    {
      name: 'a reported change bumps it',
      steps: [['reported', { a: 1 }]],
      changed: [true],
      version: 1,
    },
    {
      name: 'desired and reported share one version',
      steps: [
        ['desired', { a: 1 }],
        ['reported', { a: 1 }],
      ],
      changed: [true, true],
      version: 2,
    },
    {
      name: 'a patch changing many keys counts once',
      steps: [['desired', { a: 1, b: { c: 2 }, d: [3] }]],
      changed: [true],
      version: 1,
    },
    {
      name: 'repeating a patch is a no-op',
      steps: [
        ['desired', { a: 1 }],
        ['desired', { a: 1 }],
        ['reported', { b: 2 }],
        ['reported', { b: 2 }],
      ],
      changed: [true, false, true, false],
      version: 2,
    },
    { name: 'an empty patch is a no-op', steps: [['desired', {}]], changed: [false], version: 0 },
    {
      name: 'deleting an absent key is a no-op',
      steps: [['reported', { a: null }]],
      changed: [false],
      version: 0,
    },
  ])('$name', ({ steps, changed, version }) => {
    let shadow: Shadow = emptyShadow();
    const seen: boolean[] = [];
    for (const [section, patch] of steps) {
      const out = applied(update[section](shadow, patch, { at: T1 }));
      seen.push(out.changed);
      shadow = out.shadow;
    }
    expect(seen).toEqual(changed);
    expect(shadow.version).toBe(version);
  });

  it('returns the very same shadow for a no-op', () => {
    const before = aShadow({ desired: { a: 1 } });
    const out = applied(updateDesired(before, { a: 1 }, { at: T1 }));
    expect(out).toEqual({ shadow: before, changed: false, changes: {}, changedPaths: [] });
    expect(out.shadow).toBe(before);
  });
});

describe('shadow optimistic concurrency', () => {
  // Version 2: one desired and one reported write.
  const current = aShadow({ desired: { a: 1 }, reported: { a: 0 } });

  it.each<{ name: string; section: ShadowSection; expectedVersion?: number; patch: JsonObject }>([
    { name: 'an older expected version', section: 'desired', expectedVersion: 1, patch: { a: 2 } },
    { name: 'a newer expected version', section: 'desired', expectedVersion: 3, patch: { a: 2 } },
    {
      name: 'a stale version with a no-op patch',
      section: 'desired',
      expectedVersion: 0,
      patch: { a: 1 },
    },
    {
      name: 'a stale version on reported',
      section: 'reported',
      expectedVersion: 1,
      patch: { a: 1 },
    },
  ])('refuses $name with a version conflict', ({ section, expectedVersion, patch }) => {
    const out = update[section](current, patch, { at: T1, expectedVersion });
    expect(out).toMatchObject({ rejected: true, code: SHADOW_VERSION_CONFLICT });
    expect(isRejection(out) && out.message).toMatch(/version 2\b.*re-read the shadow and retry/);
  });

  it.each<{ name: string; expectedVersion?: number }>([
    { name: 'the current version', expectedVersion: 2 },
    { name: 'no expected version', expectedVersion: undefined },
  ])('accepts an update with $name', ({ expectedVersion }) => {
    const out = applied(updateDesired(current, { a: 2 }, { at: T1, expectedVersion }));
    expect(out.shadow.version).toBe(3);
    expect(out.shadow.desired).toEqual({ a: 2 });
  });
});
