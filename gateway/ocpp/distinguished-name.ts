/** One attribute of a distinguished name: its type as written (CN, O, …) and its value, unescaped. */
export interface DnAttribute {
  type: string;
  value: string;
}

const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;
const BACKSLASH = 0x5c;
const EQUALS = 0x3d;
const COMMA = 0x2c;
const PLUS = 0x2b;

/**
 * Parses an RFC 4514 (RFC 2253) distinguished name, as nginx's `$ssl_client_s_dn` gives a
 * verified client certificate's subject (e.g. `CN=CP-0001,O=acme`), into its attributes.
 * Separators (`,` between RDNs, `+` inside a multi-valued RDN, the first `=` of a part) count
 * only where they are not escaped, so a value that carries `\,CN=CP-0001` stays inside its own
 * attribute instead of posing as a CN. Null for a malformed name (a dangling escape, a part
 * without a type).
 *
 * @example
 *   parseDistinguishedName('CN=CP-1,O=Acme\\, Inc.')
 *   // [{ type: 'CN', value: 'CP-1' }, { type: 'O', value: 'Acme, Inc.' }]
 */
export function parseDistinguishedName(dn: string): DnAttribute[] | null {
  const attributes: DnAttribute[] = [];
  let type: number[] = [];
  let value: number[] = [];
  let inValue = false;
  const finish = (): boolean => {
    const name = Buffer.from(type).toString('utf8').trim().toUpperCase();
    if (!inValue || name.length === 0) return false;
    attributes.push({ type: name, value: Buffer.from(value).toString('utf8') });
    type = [];
    value = [];
    inValue = false;
    return true;
  };
  const bytes = Buffer.from(dn, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    const into = inValue ? value : type;
    if (c === BACKSLASH) {
      // An escape is one byte: \HH (a byte of UTF-8) or \ and the character itself.
      const pair = bytes.subarray(i + 1, i + 3).toString('latin1');
      if (HEX_PAIR.test(pair)) {
        into.push(parseInt(pair, 16));
        i += 2;
      } else if (i + 1 < bytes.length) into.push(bytes[++i]!);
      else return null;
    } else if (c === COMMA || c === PLUS) {
      if (!finish()) return null;
    } else if (c === EQUALS && !inValue) inValue = true;
    else into.push(c);
  }
  if (dn.trim().length > 0 && !finish()) return null;
  return attributes;
}

/** The values of one attribute type (e.g. every CN) in a parsed name. */
export function valuesOf(attributes: readonly DnAttribute[], type: string): string[] {
  return attributes.filter((a) => a.type === type).map((a) => a.value);
}
