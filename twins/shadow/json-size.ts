/**
 * Size in UTF-8 bytes of a value's JSON text, the way it travels and is stored. Counted by
 * hand because `TextEncoder` and `Buffer` are not guaranteed in the workflow sandbox.
 *
 * @example jsonSize({ a: 'é' }) === 10 // {"a":"é"} is 9 characters, é takes 2 bytes
 */
export function jsonSize(value: unknown): number {
  return utf8Length(JSON.stringify(value) ?? '');
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair is one code point of 4 bytes. JSON.stringify escapes lone surrogates.
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
