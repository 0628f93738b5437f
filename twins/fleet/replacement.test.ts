import { describe, expect, it } from 'vitest';
import { replacementRefusal } from './replacement';

describe('replacement compatibility', () => {
  it('allows the same model, an unknown old model, and a model whose profile lists the old one', () => {
    expect(replacementRefusal('wb-1', 'wb-1', null)).toBeNull();
    expect(replacementRefusal(null, 'wb-9', null)).toBeNull();
    expect(replacementRefusal('wb-1', 'wb-2', ['wb-0', 'wb-1'])).toBeNull();
  });

  it('refuses with the reason otherwise', () => {
    expect(replacementRefusal('wb-1', null, null)).toBe(
      "the device to replace is a wb-1: name the new device's model",
    );
    expect(replacementRefusal('wb-1', 'meter-3', [])).toBe(
      'a meter-3 cannot replace a wb-1: the profile of meter-3 lists no model under "replaces"',
    );
    expect(replacementRefusal('wb-1', 'meter-3', null)).toContain('there is no profile of meter-3');
  });
});
