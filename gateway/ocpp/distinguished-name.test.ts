import { describe, expect, it } from 'vitest';
import { parseDistinguishedName, valuesOf } from './distinguished-name';

describe('an RFC 4514 subject, as nginx passes it', () => {
  it.each([
    [
      'CN=CP-0001,O=acme',
      [
        ['CN', 'CP-0001'],
        ['O', 'acme'],
      ],
    ],
    [
      'CN=CP-1,O=Acme\\, Inc.',
      [
        ['CN', 'CP-1'],
        ['O', 'Acme, Inc.'],
      ],
    ],
    // the attack: a CN inside another attribute's value stays that value
    ['O=tenant-b\\,CN=CP-0001', [['O', 'tenant-b,CN=CP-0001']]],
    [
      'CN=CP-1+O=acme',
      [
        ['CN', 'CP-1'],
        ['O', 'acme'],
      ],
    ],
    ['CN=a\\+b\\=c\\\\d', [['CN', 'a+b=c\\d']]],
    ['CN=caf\\C3\\A9', [['CN', 'café']]],
    [
      'cn=lower,o=x',
      [
        ['CN', 'lower'],
        ['O', 'x'],
      ],
    ],
    ['CN=x=y', [['CN', 'x=y']]],
  ])('%s', (dn, expected) => {
    expect(parseDistinguishedName(dn)?.map((a) => [a.type, a.value])).toEqual(expected);
  });

  it.each(['CN=x,', 'CN=x\\', 'novalue', ',CN=x', '=x'])('refuses the malformed %s', (dn) => {
    expect(parseDistinguishedName(dn)).toBeNull();
  });

  it('lists every value of a type, so a second CN can be refused', () => {
    const attrs = parseDistinguishedName('CN=CP-1,CN=CP-2,O=acme')!;
    expect(valuesOf(attrs, 'CN')).toEqual(['CP-1', 'CP-2']);
  });
});
